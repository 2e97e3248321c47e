/**
 * RFC 3161 time-stamp requests and tokens, in DER through node-forge's ASN.1 reader and writer. A token is a CMS
 * SignedData whose content is a TSTInfo; it is checked here against a TSA certificate given from outside the
 * token: the imprint must be the data's SHA-256, the signed attributes must name the TSTInfo's digest, and their
 * signature must verify with that certificate's key.
 */
import { createHash, randomBytes, verify as verifySignature, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

const OID = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  messageDigest: '1.2.840.113549.1.9.4',
};
const HASH_BY_OID: Record<string, string> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

export class TimestampError extends Error {
  override name = 'TimestampError';
}

const bytes = (node: Asn1): Buffer => Buffer.from(node.value as string, 'binary');
const children = (node: Asn1 | undefined, what: string): Asn1[] => {
  if (!node || !Array.isArray(node.value)) throw new TimestampError(`malformed time-stamp: ${what}`);
  return node.value;
};
const fromDer = (der: Buffer, what: string): Asn1 => {
  try {
    return asn1.fromDer(forge.util.createBuffer(der.toString('binary')), true);
  } catch (error) {
    throw new TimestampError(`${what} is not DER: ${(error as Error).message}`);
  }
};
const toDer = (node: Asn1): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
const oidOf = (node: Asn1 | undefined): string =>
  asn1.derToOid(forge.util.createBuffer(node?.value as string));

/** A TimeStampReq for the SHA-256 of `data`, asking for the TSA's certificate in the token. */
export function timestampRequest(
  data: Buffer,
  nonce: Buffer = randomBytes(8),
): { der: Buffer; nonce: Buffer } {
  const digest = createHash('sha256').update(data).digest();
  // A positive INTEGER in DER's one encoding: the top bit clear (no sign padding) and a first byte that is not 0
  // (a leading zero byte is not minimal; a TSA echoes the number re-encoded, and it would not match byte for byte).
  const positive = Buffer.from(nonce);
  positive[0] = (positive[0] ?? 0) & 0x7f || 0x01;
  const request = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(1).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(OID.sha256).getBytes()),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
      ]),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, digest.toString('binary')),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, positive.toString('binary')),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, '\xff'),
  ]);
  return { der: toDer(request), nonce: positive };
}

/** The token of a TimeStampResp; throws with the TSA's status when it granted none. */
export function tokenOfResponse(der: Buffer): Buffer {
  const [status, token] = children(fromDer(der, 'the TSA response'), 'TimeStampResp');
  const code = children(status, 'PKIStatusInfo')[0];
  const value = code ? Number(asn1.derToInteger(forge.util.createBuffer(code.value as string))) : -1;
  // 0 granted, 1 granted with modifications; anything else is a refusal.
  if (value !== 0 && value !== 1) throw new TimestampError(`the TSA refused the request (status ${value})`);
  if (!token) throw new TimestampError('the TSA granted the request but sent no token');
  return toDer(token);
}

export interface VerifiedTimestamp {
  readonly genTime: Date;
  readonly serial: string;
}

/**
 * Checks a token over `data` against the TSA certificate (PEM). With `nonce`, the token must carry it (a reply to
 * this very request). Returns the time the TSA vouches for.
 */
export function verifyTimestampToken(
  token: Buffer,
  data: Buffer,
  tsaCertificatePem: string,
  nonce?: Buffer,
): VerifiedTimestamp {
  const [contentType, content] = children(fromDer(token, 'the time-stamp token'), 'ContentInfo');
  if (oidOf(contentType) !== OID.signedData) throw new TimestampError('the token is not CMS SignedData');
  const signedData = children(children(content, 'SignedData wrapper')[0], 'SignedData');
  const encap = children(signedData[2], 'encapContentInfo');
  if (oidOf(encap[0]) !== OID.tstInfo) throw new TimestampError('the token does not hold a TSTInfo');
  const eContent = bytes(children(encap[1], 'eContent')[0] as Asn1);
  const tstInfo = children(fromDer(eContent, 'TSTInfo'), 'TSTInfo');
  const [imprintAlgorithm, imprint] = children(tstInfo[2], 'messageImprint');
  const hash = HASH_BY_OID[oidOf(children(imprintAlgorithm, 'imprint algorithm')[0])];
  if (!hash) throw new TimestampError('the imprint uses an unknown hash algorithm');
  if (!bytes(imprint as Asn1).equals(createHash(hash).update(data).digest()))
    throw new TimestampError('the token is over other data (its imprint does not match)');
  const serial = bytes(tstInfo[3] as Asn1).toString('hex');
  const genTime = asn1.generalizedTimeToDate(tstInfo[4]?.value as string);
  if (nonce) {
    const carried = tstInfo.find(
      (n, i) => i > 4 && n.tagClass === asn1.Class.UNIVERSAL && n.type === asn1.Type.INTEGER,
    );
    if (!carried || !bytes(carried).equals(nonce))
      throw new TimestampError('the token does not carry our nonce');
  }

  // The last SET of SignedData holds the signer infos; one signer, whose signed attributes are what it signed.
  const signerInfos = children(signedData[signedData.length - 1], 'signerInfos');
  if (signerInfos.length !== 1) throw new TimestampError('the token must have exactly one signer');
  const signer = children(signerInfos[0], 'SignerInfo');
  const digestAlgorithm = HASH_BY_OID[oidOf(children(signer[2], 'digestAlgorithm')[0])];
  const attributes = signer[3];
  if (!digestAlgorithm || attributes?.tagClass !== asn1.Class.CONTEXT_SPECIFIC || attributes.type !== 0)
    throw new TimestampError('the token has no signed attributes in a known digest');
  const messageDigest = children(attributes, 'signedAttrs')
    .map((a) => children(a, 'attribute'))
    .find(([type]) => oidOf(type) === OID.messageDigest);
  const named = messageDigest && children(messageDigest[1], 'messageDigest value')[0];
  if (!named || !bytes(named).equals(createHash(digestAlgorithm).update(eContent).digest()))
    throw new TimestampError('the signed attributes do not name the TSTInfo');
  // What is signed is the attributes re-tagged as a SET (RFC 5652 section 5.4).
  const signedBytes = toDer(
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, attributes.value as Asn1[]),
  );
  const signature = bytes(signer[5] as Asn1);
  const certificate = new X509Certificate(tsaCertificatePem);
  if (!verifySignature(digestAlgorithm, signedBytes, certificate.publicKey, signature))
    throw new TimestampError("the token's signature does not verify with the TSA certificate");
  const validFrom = new Date(certificate.validFrom);
  const validTo = new Date(certificate.validTo);
  if (genTime < validFrom || genTime > validTo)
    throw new TimestampError('the token was made outside the TSA certificate’s validity');
  return { genTime, serial };
}
