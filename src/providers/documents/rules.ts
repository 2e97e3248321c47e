/**
 * The documents service's rules: keyed hashes, access tokens and short codes, the gateway-signed QR string, and
 * the check of an issuer's signed document.
 *
 * - The IIN, the QR token and the short code are matched by HMAC-SHA-256 under the service's secret, each with
 *   its own label, so that a copied table gives none of them back (twelve digits are few enough to try all).
 * - The QR token is 16 random bytes (128 bits), base64url; the short code six digits from crypto.randomInt.
 * - The QR string is `<payload>.<signature>`, both base64url: the payload is JSON `{"v":1,"t":token,"e":expiry}`
 *   and the signature the gateway key's algorithm (RSA-SHA256 or GOST R 34.10-2012) over the payload's text. A
 *   reader with the gateway's certificate tells a genuine code from a forged one offline.
 */
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { SIGNATURE_ALGORITHMS, tableEntry } from '../../signature/algorithms.js';
import { certificatePublicKey, type PublicKey } from '../../signature/keys.js';
import type { TrustStore } from '../../signature/pki/trust-store.js';
import { certificateDer } from '../../signature/pki/thumbprint.js';
import type { SigningKey } from '../../signature/signing-key.js';
import { checkSignature } from '../../signature/xml-signature.js';
import { contractOfTypesNs } from '../../soap/namespaces.js';
import { childElements, childText, parseDom } from '../../xml/dom.js';
import { DOCUMENTS_NS } from './codec.js';

export class Hasher {
  constructor(private readonly secret: string) {}

  private mac(label: string, value: string): string {
    return createHmac('sha256', this.secret).update(`${label}\u0000${value}`).digest('hex');
  }

  iin(digits: string): string {
    return this.mac('iin', digits);
  }

  token(token: string): string {
    return this.mac('qr', token);
  }

  code(code: string): string {
    return this.mac('code', code);
  }

  /** A value that tells keys apart without revealing them. */
  check(): string {
    return this.mac('check', 'smev-gateway documents key check');
  }
}

export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

export function newShortCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

interface QrPayload {
  readonly v: 1;
  readonly t: string;
  readonly e: string;
}

/** Signs and reads the QR string with the gateway's key and certificate. */
export class QrSigner {
  private readonly publicKey: PublicKey;

  constructor(private readonly key: SigningKey) {
    const der = certificateDer(key.certificatePem);
    if (!der) throw new Error('the gateway certificate is not PEM');
    this.publicKey = certificatePublicKey(der);
  }

  sign(token: string, expiresAt: Date): string {
    const payload: QrPayload = { v: 1, t: token, e: expiresAt.toISOString() };
    const text = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    const algorithm = tableEntry(SIGNATURE_ALGORITHMS, this.key.signatureAlgorithm);
    if (!algorithm) throw new Error(`cannot sign with ${this.key.signatureAlgorithm}`);
    const signature = algorithm.sign(this.key.privateKey, Buffer.from(text, 'utf8'));
    return `${text}.${signature.toString('base64url')}`;
  }

  /** The token of a genuine QR string, or undefined when its signature does not verify. */
  read(qr: string): { token: string; expiresAt: Date } | undefined {
    const [text, signature, ...rest] = qr.split('.');
    if (!text || !signature || rest.length) return undefined;
    const algorithm = tableEntry(SIGNATURE_ALGORITHMS, this.key.signatureAlgorithm);
    if (!algorithm?.verify(this.publicKey, Buffer.from(text, 'utf8'), Buffer.from(signature, 'base64url')))
      return undefined;
    try {
      const payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<QrPayload>;
      if (payload.v !== 1 || typeof payload.t !== 'string' || typeof payload.e !== 'string') return undefined;
      return { token: payload.t, expiresAt: new Date(payload.e) };
    } catch {
      return undefined;
    }
  }
}

export interface CheckedDocument {
  readonly type: string;
  readonly thumbprint: string;
}

export class DocumentProblem extends Error {
  constructor(
    readonly code: 'DOCUMENT_MALFORMED' | 'ISSUER_SIGNATURE_INVALID',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks an issuer's signed document: `d:SignedDocument` holding `d:Document` (with Id and Type) and, beside it,
 * a `PersonalSignature` of the SMEV types namespace with one detached ds:Signature over d:Document. The same
 * shape checks and verification the gateway applies to system signatures, and the certificate through the
 * gateway's trust store at `at`. Throws DocumentProblem.
 */
export function checkSignedDocument(xml: string, trust: TrustStore, at: Date): CheckedDocument {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw new DocumentProblem('DOCUMENT_MALFORMED', 'a document type declaration is not accepted');
  let doc;
  try {
    doc = parseDom(xml);
  } catch (error) {
    throw new DocumentProblem('DOCUMENT_MALFORMED', (error as Error).message);
  }
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== DOCUMENTS_NS || root.localName !== 'SignedDocument')
    throw new DocumentProblem('DOCUMENT_MALFORMED', 'the root element must be d:SignedDocument');
  const [document, container, ...rest] = childElements(root);
  if (
    !document ||
    document.namespaceURI !== DOCUMENTS_NS ||
    document.localName !== 'Document' ||
    !container ||
    !contractOfTypesNs(container.namespaceURI) ||
    container.localName !== 'PersonalSignature' ||
    rest.length
  )
    throw new DocumentProblem(
      'DOCUMENT_MALFORMED',
      'd:SignedDocument must hold d:Document and then PersonalSignature, nothing else',
    );
  const type = childText(document, DOCUMENTS_NS, 'Type')?.trim();
  if (!type || !/^[A-Za-z0-9_.-]{1,64}$/.test(type))
    throw new DocumentProblem(
      'DOCUMENT_MALFORMED',
      'd:Document must carry a Type of 1 to 64 letters and digits',
    );
  try {
    const certificate = checkSignature(doc, container, document, trust, at, { sole: true });
    return { type, thumbprint: certificate.thumbprint };
  } catch (error) {
    throw new DocumentProblem('ISSUER_SIGNATURE_INVALID', (error as Error).message);
  }
}
