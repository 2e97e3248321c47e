/** Small DER helpers over node-forge's asn1 module, shared by the CRL builder and the CRL parser. */
import forge from 'node-forge';

/**
 * Parses DER strictly without guessing at BIT STRING contents: forge otherwise tries to read a BIT STRING as nested
 * ASN.1, which would mangle key usage bits and signatures.
 */
export function parseDer(bytes: string | Buffer): forge.asn1.Asn1 {
  const binary = typeof bytes === 'string' ? bytes : bytes.toString('binary');
  // The typings only know the old `strict: boolean` parameter; forge also takes this options object.
  const options = { strict: true, decodeBitStrings: false } as unknown as boolean;
  return forge.asn1.fromDer(forge.util.createBuffer(binary), options);
}

/** Children of a constructed node; an empty list for a primitive one. */
export function children(node: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] {
  return node !== undefined && Array.isArray(node.value) ? node.value : [];
}

/** Content bytes (binary string) of a primitive node. */
export function bytesOf(node: forge.asn1.Asn1 | undefined): string {
  return node !== undefined && typeof node.value === 'string' ? node.value : '';
}

/** Hex of an INTEGER's content with leading zeros removed: the form serials are compared in. */
export function normalizeSerialHex(hex: string): string {
  const trimmed = hex.toLowerCase().replace(/^0+/, '');
  return trimmed === '' ? '0' : trimmed;
}

/** Offset and total length of the DER element at `offset`: lets a signature be checked over the exact bytes. */
export function elementSpan(
  der: Buffer,
  offset: number,
): { start: number; end: number; contentStart: number } {
  const first = der[offset + 1];
  if (first === undefined) throw new Error('truncated DER');
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = der[offset + 2 + i];
      if (b === undefined) throw new Error('truncated DER');
      length = length * 256 + b;
    }
    header += count;
  }
  const end = offset + header + length;
  if (end > der.length) throw new Error('truncated DER');
  return { start: offset, end, contentStart: offset + header };
}

/**
 * The signed bytes and the signature of an X.509 SIGNED structure (certificate or CRL): the exact DER of its first
 * element, and the content of its BIT STRING after the unused-bits byte, which must be zero.
 */
export function signedParts(der: Buffer): { tbs: Buffer; signature: Buffer } {
  const outer = elementSpan(der, 0);
  const tbs = elementSpan(der, outer.contentStart);
  const algorithm = elementSpan(der, tbs.end);
  const signature = elementSpan(der, algorithm.end);
  if (der[signature.start] !== 0x03 || der[signature.contentStart] !== 0) {
    throw new Error('the signature is not a whole-byte BIT STRING');
  }
  return {
    tbs: der.subarray(tbs.start, tbs.end),
    signature: der.subarray(signature.contentStart + 1, signature.end),
  };
}
