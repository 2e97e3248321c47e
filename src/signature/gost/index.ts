/** GOST R 34.11-2012 (Streebog), GOST R 34.11-94 and GOST R 34.10-2012/2001 signatures in pure TypeScript. */
export {
  createStreebog,
  streebog256,
  streebog512,
  type StreebogBits,
  type StreebogHash,
} from './streebog.js';
export { createGost94, gost94, CRYPTOPRO_HASH_SBOX, type Gost94Hash, type GostSbox } from './gost94.js';
export { curveByOid, GOST_CURVES, type GostCurve } from './curves.js';
export type { AffinePoint } from './ec.js';
export {
  generatePrivateKey,
  gostSign,
  gostVerify,
  isValidPublicKey,
  publicKeyFromPrivate,
  type GostVerifyOptions,
} from './sign.js';
export {
  decodePublicKeyX509,
  decodeSignature,
  digestToInteger,
  encodePublicKeyX509,
  encodeSignature,
  fromXmlDsigSignatureValue,
  toXmlDsigSignatureValue,
  type GostSignatureParts,
} from './encoding.js';
export {
  gostPublicKeyFromAsn1,
  OID_GOST2012_256_KEY,
  OID_GOST2012_512_KEY,
  parseGostSubjectPublicKeyInfo,
  type GostPublicKeyInfo,
} from './spki.js';
export {
  OID_SIGN_GOST2012_256,
  OID_SIGN_GOST2012_512,
  parseGostCertificate,
  verifyGostCertificateSignature,
  type GostCertificate,
} from './certificate.js';
