/** The participant's QR code: its registry code, as PNG or SVG (qrcode package). */
import QRCode from 'qrcode';

export function qrPng(registryCode: string): Promise<Buffer> {
  return QRCode.toBuffer(registryCode, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 256 });
}

export function qrSvg(registryCode: string): Promise<string> {
  return QRCode.toString(registryCode, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
