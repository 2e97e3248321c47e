/**
 * The trust store: CA certificates (roots and intermediates) and their CRLs. `check` decides whether a signing
 * certificate may be believed at a given moment, and throws a SignatureVerificationFault naming the reason if not.
 *
 * What does not depend on time (parsing, the chain, the leaf's own constraints, whether the serial is listed) is
 * worked out once per certificate and cached by thumbprint; `check` then only compares dates.
 *
 * RSA chains are checked by node's X509Certificate; GOST R 34.10 chains and CRLs, which node's OpenSSL cannot
 * verify, by our own GOST code with the same rules (issuer name and key identifier, the issuer's key usage, the
 * signature over the exact TBS bytes).
 */
import { KeyObject, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayFault } from '../../core/faults.js';
import { printable } from '../../core/printable.js';
import { BoundedCache } from './bounded-cache.js';
import { namesIssuer as factsNameIssuer, readCertificateFacts, type CertificateFacts } from './cert-facts.js';
import { GOST_SIGNATURE_OIDS, verifyGostSignedData } from '../gost/certificate.js';
import { certificatePublicKey, type PublicKey } from '../keys.js';
import { crlSignedBy, parseCrl, type ParsedCrl } from './crl.js';
import { normalizeSerialHex, signedParts } from './der.js';
import { certificateDer, pemBlocks, pemBody, thumbprint } from './thumbprint.js';

/**
 * Reasons carried by `SignatureVerificationFault`. The first six are SMEV's; the CRL ones are ours:
 * - `CrlIsStale`: the issuing CA's CRL is past its nextUpdate, so revocation status is unknown;
 * - `CrlIsNotFound`: `requireCrl` is on and the issuing CA has no CRL in the store.
 */
export type CertificateFaultReason =
  | 'CertificateIsNotFound'
  | 'CertificateIsExpired'
  | 'CertificateIsNotYetValid'
  | 'CertificateIsRevoked'
  | 'CertificateIsNotTrusted'
  | 'CertificateIsMalformed'
  | 'CrlIsStale'
  | 'CrlIsNotFound';

/** A certificate that passed `check`. */
export interface CheckedCertificate {
  /** SHA-256 of the DER, lowercase hex. */
  readonly thumbprint: string;
  /** Subject as `C=RU, O=…, OU=…, CN=…` (encoding order, as node prints it). */
  readonly subject: string;
  readonly issuer: string;
  /** Serial number, lowercase hex without leading zeros. */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** node's KeyObject for RSA, our GOST key record for GOST R 34.10. */
  readonly publicKey: PublicKey;
  readonly pem: string;
  readonly der: Buffer;
  /** Thumbprints of the CA certificates from the issuer up to the root. */
  readonly chain: readonly string[];
}

/** Problems in the store's own material, found when it is built: configuration errors, not client faults. */
export type TrustStoreProblem =
  'CaIsMalformed' | 'CaIsNotCa' | 'CrlIsMalformed' | 'CrlIssuerIsUnknown' | 'CrlIsNotTrusted';

export class TrustStoreError extends Error {
  constructor(
    readonly problem: TrustStoreProblem,
    message: string,
  ) {
    super(message);
    this.name = 'TrustStoreError';
  }
}

/**
 * Key purposes that allow signing messages, when a certificate limits its purposes at all: any purpose, client
 * authentication and e-mail protection (what CryptoPro-issued certificates for SMEV carry), and document signing
 * (RFC 9336 and Microsoft's). A TLS server, code-signing, time-stamping or OCSP certificate signs no messages.
 */
export const MESSAGE_SIGNING_PURPOSES: ReadonlySet<string> = new Set([
  '2.5.29.37.0',
  '1.3.6.1.5.5.7.3.2',
  '1.3.6.1.5.5.7.3.4',
  '1.3.6.1.5.5.7.3.36',
  '1.3.6.1.4.1.311.10.3.12',
]);

export interface TrustStoreOptions {
  /** Fail certificates whose issuing CA has no CRL in the store (`CrlIsNotFound`). Default false. */
  readonly requireCrl?: boolean;
  /** How many checked certificates to remember. Default 1000. */
  readonly cacheSize?: number;
}

export interface TrustStoreFiles {
  readonly ca: readonly string[];
  readonly crl: readonly string[];
}

/** Longest chain we build (leaf excluded); real chains have one or two CAs. */
const MAX_DEPTH = 8;

interface CertInfo {
  readonly x509: X509Certificate;
  readonly der: Buffer;
  readonly key: PublicKey;
  readonly thumbprint: string;
  readonly facts: CertificateFacts;
  readonly serial: string;
  readonly subject: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

interface Authority extends CertInfo {
  readonly selfSigned: boolean;
  /** This CA and the CAs above it up to a self-signed root in the store; undefined if it leads to none. */
  path: readonly Authority[] | undefined;
  crl: ParsedCrl | undefined;
}

/** A cached verdict: either a fault to throw or the certificate with its chain. */
type Verdict =
  | { readonly ok: false; readonly reason: CertificateFaultReason; readonly message: string }
  | {
      readonly ok: true;
      readonly leaf: CertInfo;
      readonly path: readonly Authority[];
      readonly result: CheckedCertificate;
    };

export function certificateFault(reason: CertificateFaultReason, message: string): GatewayFault {
  return new GatewayFault('SignatureVerificationFault', message, { reason });
}

/**
 * A certificate's name as people read it, one line. The CA files and a signer's certificate are not the registry's
 * to refuse, yet their names reach screens, faults and logs: control characters in them are shown escaped.
 */
function describeName(name: string): string {
  return printable(name.split('\n').join(', '));
}

function describe(x509: X509Certificate): string {
  return describeName(x509.subject);
}

function certInfo(x509: X509Certificate): CertInfo {
  const der = x509.raw;
  const facts = readCertificateFacts(der);
  return {
    x509,
    der,
    key: certificatePublicKey(der, x509),
    thumbprint: thumbprint(der),
    facts,
    serial: normalizeSerialHex(x509.serialNumber),
    subject: describe(x509),
    notBefore: facts.notBefore.getTime(),
    notAfter: facts.notAfter.getTime(),
  };
}

/** `issuerKey` made the certificate's signature: GOST algorithms by our code, the others by node's. */
function signedBy(cert: CertInfo, issuerKey: PublicKey): boolean {
  if (Object.hasOwn(GOST_SIGNATURE_OIDS, cert.facts.signatureAlgorithm)) {
    if (issuerKey instanceof KeyObject) return false;
    try {
      const { tbs, signature } = signedParts(cert.der);
      return verifyGostSignedData(cert.facts.signatureAlgorithm, issuerKey, tbs, signature);
    } catch {
      return false;
    }
  }
  return issuerKey instanceof KeyObject && cert.x509.verify(issuerKey);
}

/**
 * `parent` may have issued `child` (namesIssuer), which node's checkIssued cannot answer once a GOST key is
 * involved.
 */
function namesIssuer(child: CertInfo, parent: CertInfo): boolean {
  if (parent.key instanceof KeyObject && child.key instanceof KeyObject)
    return child.x509.checkIssued(parent.x509);
  return factsNameIssuer(child.facts, parent.facts);
}

/** `child` names `parent` as issuer (name and key id) and `parent`'s key made its signature. */
function issuedBy(child: CertInfo, parent: CertInfo): boolean {
  return namesIssuer(child, parent) && signedBy(child, parent.key);
}

/** Signed by its own key under its own name; checkIssued would say no for a leaf lacking keyCertSign. */
function isSelfSigned(cert: CertInfo): boolean {
  return cert.facts.issuerName === cert.facts.subjectName && signedBy(cert, cert.key);
}

export class TrustStore {
  private readonly authorities: readonly Authority[];
  private readonly cache: BoundedCache<string, Verdict>;
  private readonly byText: BoundedCache<string, Verdict>;
  private readonly requireCrl: boolean;
  /** Things worth logging at start-up that do not stop the store from working (e.g. an orphan intermediate). */
  readonly warnings: readonly string[];

  private constructor(authorities: Authority[], warnings: string[], options: TrustStoreOptions) {
    this.authorities = authorities;
    this.warnings = warnings;
    this.requireCrl = options.requireCrl ?? false;
    this.cache = new BoundedCache(options.cacheSize ?? 1000);
    this.byText = new BoundedCache(options.cacheSize ?? 1000);
  }

  /**
   * Builds a store from PEM texts (each may hold several blocks). Throws TrustStoreError when a CA certificate
   * does not parse or is not a CA, or a CRL does not parse, has no issuer in the store, or is not signed by it.
   */
  static fromPem(
    caPems: readonly string[],
    crlPems: readonly string[],
    options: TrustStoreOptions = {},
  ): TrustStore {
    const warnings: string[] = [];
    const authorities = loadAuthorities(caPems);
    for (const authority of authorities) {
      authority.path = pathToRoot(authority, authorities, 0);
      if (authority.path === undefined) {
        warnings.push(
          `CA ${authority.subject} does not chain to a root in the trust store; it is not trusted`,
        );
      }
    }
    for (const [authority, crl] of readCrls(crlPems, authorities)) authority.crl = crl;
    return new TrustStore(authorities, warnings, options);
  }

  /**
   * Replace every CRL with those in `crlPems` (the CRL files read again), all at once: a revocation takes effect
   * with no restart. Throws TrustStoreError, keeping the CRLs held, when any of them is bad.
   */
  replaceCrls(crlPems: readonly string[]): void {
    const crls = readCrls(crlPems, this.authorities);
    for (const authority of this.authorities) authority.crl = crls.get(authority);
  }

  /** Each CA's CRL held now and when it runs out (the console shows those near their end). */
  crls(): { issuer: string; nextUpdate: Date }[] {
    return this.authorities.flatMap((a) =>
      a.crl ? [{ issuer: a.subject, nextUpdate: a.crl.nextUpdate }] : [],
    );
  }

  /** Reads the files listed, or else every `ca*.crt.pem` and `*.crl.pem` in `dir`. */
  static fromDirectory(dir: string, files?: TrustStoreFiles, options: TrustStoreOptions = {}): TrustStore {
    const names = readdirSync(dir).sort();
    const ca = files?.ca ?? names.filter((n) => /^ca.*\.crt\.pem$/.test(n));
    const crl = files?.crl ?? names.filter((n) => n.endsWith('.crl.pem'));
    const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
    return TrustStore.fromPem(ca.map(read), crl.map(read), options);
  }

  /** Thumbprints and subjects of the CA certificates held. */
  get caCertificates(): readonly { thumbprint: string; subject: string; root: boolean }[] {
    return this.authorities.map((a) => ({
      thumbprint: a.thumbprint,
      subject: a.subject,
      root: a.selfSigned,
    }));
  }

  /**
   * Checks a signing certificate (X509Certificate, PEM, or base64 DER as in `ds:X509Certificate`) at moment `at`.
   * Throws `GatewayFault('SignatureVerificationFault')` with a CertificateFaultReason when it may not be trusted.
   */
  check(cert: X509Certificate | string, at: Date): CheckedCertificate {
    // The same text always means the same certificate, so a repeat skips base64 decoding and hashing.
    let verdict = typeof cert === 'string' ? this.byText.get(cert) : undefined;
    if (verdict === undefined) {
      verdict = this.verdictFor(cert);
      if (typeof cert === 'string') this.byText.set(cert, verdict);
    }
    if (!verdict.ok) throw certificateFault(verdict.reason, verdict.message);
    const time = at.getTime();
    checkValidity(verdict.leaf, time, 'the certificate');
    for (const ca of verdict.path) checkValidity(ca, time, `issuing CA certificate ${ca.subject}`);
    this.checkRevocation(verdict.leaf, verdict.path, time);
    return verdict.result;
  }

  /** The cached verdict by thumbprint, worked out on a miss. */
  private verdictFor(cert: X509Certificate | string): Verdict {
    const der = typeof cert === 'string' ? certificateDer(cert) : cert.raw;
    if (der === undefined) {
      throw certificateFault('CertificateIsMalformed', 'the certificate is not PEM or base64 DER');
    }
    const key = thumbprint(der);
    let verdict = this.cache.get(key);
    if (verdict === undefined) {
      verdict = this.examine(typeof cert === 'string' ? der : cert, key);
      if (verdict === undefined) {
        throw certificateFault('CertificateIsMalformed', 'the certificate could not be parsed');
      }
      this.cache.set(key, verdict);
    }
    return verdict;
  }

  /** The time-independent part of a check; undefined when the bytes are not a certificate. */
  private examine(input: Buffer | X509Certificate, key: string): Verdict | undefined {
    let leaf: CertInfo;
    try {
      leaf = certInfo(input instanceof X509Certificate ? input : new X509Certificate(input));
    } catch {
      return undefined;
    }
    // OpenSSL reads a certificate from the front of the bytes and takes PEM text too, so the same certificate
    // would come under many thumbprints: junk after the DER, or PEM armour inside the base64. Exactly one DER
    // certificate, as XMLDSig's X509Certificate holds and every other tool requires.
    if (!(input instanceof X509Certificate) && !leaf.der.equals(input)) {
      return {
        ok: false,
        reason: 'CertificateIsMalformed',
        message: 'the certificate must be exactly one DER-encoded certificate, with nothing after it',
      };
    }
    const issuer = this.authorities.find((a) => a.path !== undefined && issuedBy(leaf, a));
    if (issuer?.path === undefined) {
      const why = isSelfSigned(leaf) ? 'is self-signed' : 'was not issued by a CA in the trust store';
      return { ok: false, reason: 'CertificateIsNotTrusted', message: `certificate ${leaf.subject} ${why}` };
    }
    if (leaf.x509.ca) {
      return {
        ok: false,
        reason: 'CertificateIsNotTrusted',
        message: `certificate ${leaf.subject} is a CA certificate`,
      };
    }
    if (leaf.facts.keyUsage !== undefined && !leaf.facts.keyUsage.has('digitalSignature')) {
      return {
        ok: false,
        reason: 'CertificateIsNotTrusted',
        message: `certificate ${leaf.subject} is not meant for digital signatures (key usage)`,
      };
    }
    const purposes = leaf.facts.extendedKeyUsage;
    if (purposes !== undefined && ![...purposes].some((p) => MESSAGE_SIGNING_PURPOSES.has(p))) {
      return {
        ok: false,
        reason: 'CertificateIsNotTrusted',
        message: `certificate ${leaf.subject} is not meant for signing messages (extended key usage ${[...purposes].join(', ')})`,
      };
    }
    const result: CheckedCertificate = Object.freeze({
      thumbprint: key,
      subject: leaf.subject,
      issuer: describeName(leaf.x509.issuer),
      serial: leaf.serial,
      notBefore: leaf.facts.notBefore,
      notAfter: leaf.facts.notAfter,
      publicKey: leaf.key,
      pem: leaf.x509.toString(),
      der: leaf.der,
      chain: Object.freeze(issuer.path.map((a) => a.thumbprint)),
    });
    return { ok: true, leaf, path: issuer.path, result };
  }

  /** Each certificate below the root against its issuer's CRL (a root is a trust anchor: nothing revokes it). */
  private checkRevocation(leaf: CertInfo, path: readonly Authority[], time: number): void {
    let subject: CertInfo = leaf;
    for (const ca of path) {
      const crl = ca.crl;
      if (crl === undefined) {
        if (this.requireCrl)
          throw certificateFault('CrlIsNotFound', `no CRL of CA ${ca.subject} in the trust store`);
      } else {
        // Revocation is permanent, so a listing counts even on a stale CRL; staleness only matters when unlisted.
        if (crl.revoked.has(subject.serial)) {
          throw certificateFault(
            'CertificateIsRevoked',
            `certificate ${subject.subject} is revoked by ${ca.subject}`,
          );
        }
        if (crl.nextUpdate.getTime() < time) {
          throw certificateFault(
            'CrlIsStale',
            `the CRL of CA ${ca.subject} expired at ${crl.nextUpdate.toISOString()}; revocation status is unknown`,
          );
        }
      }
      subject = ca;
    }
  }
}

function checkValidity(cert: CertInfo, time: number, what: string): void {
  if (time > cert.notAfter) {
    throw certificateFault(
      'CertificateIsExpired',
      `${what} expired at ${new Date(cert.notAfter).toISOString()}`,
    );
  }
  if (time < cert.notBefore) {
    throw certificateFault(
      'CertificateIsNotYetValid',
      `${what} is valid from ${new Date(cert.notBefore).toISOString()}`,
    );
  }
}

function loadAuthorities(caPems: readonly string[]): Authority[] {
  const byThumbprint = new Map<string, Authority>();
  const blocks = caPems.flatMap((text) => {
    const found = pemBlocks(text, 'CERTIFICATE');
    if (found.length === 0)
      throw new TrustStoreError('CaIsMalformed', 'a CA input holds no CERTIFICATE PEM block');
    return found;
  });
  for (const block of blocks) {
    let info: CertInfo;
    try {
      info = certInfo(new X509Certificate(pemBody(block)));
    } catch (err) {
      throw new TrustStoreError(
        'CaIsMalformed',
        `a CA certificate does not parse: ${(err as Error).message}`,
      );
    }
    if (!info.x509.ca || (info.facts.keyUsage !== undefined && !info.facts.keyUsage.has('keyCertSign'))) {
      throw new TrustStoreError('CaIsNotCa', `certificate ${info.subject} is not a CA certificate`);
    }
    const selfSigned = issuedBy(info, info);
    byThumbprint.set(info.thumbprint, { ...info, selfSigned, path: undefined, crl: undefined });
  }
  return [...byThumbprint.values()];
}

/**
 * The chain from `ca` up to a self-signed root held in the store, honouring pathLenConstraint
 * (a CA with n intermediate CAs below it in the chain needs pathLength ≥ n).
 */
function pathToRoot(ca: Authority, all: readonly Authority[], depth: number): Authority[] | undefined {
  if (ca.selfSigned) return [ca];
  if (depth >= MAX_DEPTH) return undefined;
  for (const parent of all) {
    if (parent === ca || !issuedBy(ca, parent)) continue;
    const rest = pathToRoot(parent, all, depth + 1);
    if (rest === undefined) continue;
    const path = [ca, ...rest];
    const withinLimits = path.every((a, i) => a.facts.pathLength === undefined || i <= a.facts.pathLength);
    if (withinLimits) return path;
  }
  return undefined;
}

/** Each CA's newest CRL among `crlPems`, every one verified against its CA. */
function readCrls(crlPems: readonly string[], authorities: readonly Authority[]): Map<Authority, ParsedCrl> {
  const crls = new Map<Authority, ParsedCrl>();
  for (const text of crlPems) {
    const blocks = pemBlocks(text, 'X509 CRL');
    // A file that holds no CRL at all is a mistake worth stopping for, not something to skip quietly.
    if (blocks.length === 0)
      throw new TrustStoreError('CrlIsMalformed', 'a CRL input holds no X509 CRL PEM block');
    for (const block of blocks) {
      const { issuer, crl } = verifiedCrl(block, authorities);
      const held = crls.get(issuer);
      if (held === undefined || isNewer(crl, held)) crls.set(issuer, crl);
    }
  }
  return crls;
}

/** Verifies a CRL against the CA whose name it carries. */
function verifiedCrl(
  block: string,
  authorities: readonly Authority[],
): { issuer: Authority; crl: ParsedCrl } {
  let crl: ParsedCrl;
  try {
    crl = parseCrl(pemBody(block));
  } catch (err) {
    throw new TrustStoreError('CrlIsMalformed', `a CRL does not parse: ${(err as Error).message}`);
  }
  const named = authorities.filter((a) => a.facts.subjectName === crl.issuerName);
  if (named.length === 0) {
    throw new TrustStoreError('CrlIssuerIsUnknown', 'a CRL names an issuer that is not in the trust store');
  }
  const issuer = named.find((a) => crlSignedBy(crl, a.key));
  if (issuer === undefined) {
    throw new TrustStoreError(
      'CrlIsNotTrusted',
      `a CRL of ${named[0]?.subject} is not signed by that CA's key`,
    );
  }
  if (issuer.facts.keyUsage !== undefined && !issuer.facts.keyUsage.has('cRLSign')) {
    throw new TrustStoreError('CrlIsNotTrusted', `CA ${issuer.subject} may not sign CRLs (key usage)`);
  }
  return { issuer, crl };
}

function isNewer(candidate: ParsedCrl, current: ParsedCrl): boolean {
  if (candidate.crlNumber !== undefined && current.crlNumber !== undefined) {
    return candidate.crlNumber > current.crlNumber;
  }
  return candidate.thisUpdate.getTime() > current.thisUpdate.getTime();
}
