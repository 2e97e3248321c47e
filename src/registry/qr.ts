/** The participant's QR code: a link to its registry entry, as PNG or SVG (qrcode package). */
import QRCode from 'qrcode';

/** The link a participant's QR code opens: the configured base and the registry code. */
export function registryLink(base: string, registryCode: string): string {
  return `${base.endsWith('/') ? base : `${base}/`}${encodeURIComponent(registryCode)}`;
}

export function qrPng(content: string): Promise<Buffer> {
  return QRCode.toBuffer(content, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 256 });
}

export function qrSvg(content: string): Promise<string> {
  return QRCode.toString(content, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
