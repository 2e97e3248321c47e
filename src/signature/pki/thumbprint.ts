/** Certificate identity and input decoding shared by the trust store and its callers. */
import { createHash } from 'node:crypto';
import { isBase64 } from '../../core/base64.js';

/** SHA-256 of the certificate's DER, lowercase hex: the thumbprint the registry stores and the logs print. */
export function thumbprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

/** Certificates larger than this are not certificates a gateway should spend time on. */
const MAX_CERTIFICATE_TEXT = 64 * 1024;
const PEM_CERT = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;

/**
 * DER bytes of a certificate given as PEM or as bare base64 (the content of `ds:X509Certificate`).
 * Returns undefined when the text is neither; whether the bytes are a certificate is decided by the parser.
 */
export function certificateDer(text: string): Buffer | undefined {
  if (text.length === 0 || text.length > MAX_CERTIFICATE_TEXT) return undefined;
  let body = text;
  if (text.includes('-----BEGIN')) {
    const match = PEM_CERT.exec(text);
    if (match?.[1] === undefined) return undefined;
    body = match[1];
  }
  const compact = body.replace(/\s+/g, '');
  if (compact.length === 0 || !isBase64(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

/** Splits a text holding one or more PEM blocks of the given label (bundles are common for CA files). */
export function pemBlocks(text: string, label: 'CERTIFICATE' | 'X509 CRL'): string[] {
  const re = new RegExp(`-----BEGIN ${label}-----[A-Za-z0-9+/=\\s]+?-----END ${label}-----`, 'g');
  return text.match(re) ?? [];
}

/** DER of one PEM block. */
export function pemBody(block: string): Buffer {
  return Buffer.from(block.replace(/-----(BEGIN|END)[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
