/**
 * GOST R 34.11-94 (RFC 5831), the hash of legacy GOST R 34.10-2001 signatures (XMLDSig `#gostr3411`), with the
 * CryptoPro S-box (id-GostR3411-94-CryptoProParamSet, RFC 4357 §11.2) that CryptoPro, SMEV and OpenSSL's
 * `md_gost94` use. Only verification of old messages needs it, so it favours plainness over speed.
 *
 * Byte conventions: every 256-bit value is a byte array with byte 0 the least significant, which is also how
 * message bytes, the length block and the output map (the output bytes are what `openssl dgst` prints).
 */

/** Eight rows of 16 nibbles; row 0 substitutes the least significant nibble (k1 of the standard). */
export type GostSbox = readonly (readonly number[])[];

/** id-GostR3411-94-CryptoProParamSet (1.2.643.2.2.30.1). */
export const CRYPTOPRO_HASH_SBOX: GostSbox = [
  [10, 4, 5, 6, 8, 1, 3, 7, 13, 12, 14, 0, 9, 2, 11, 15],
  [5, 15, 4, 0, 2, 13, 11, 9, 1, 7, 6, 3, 12, 14, 10, 8],
  [7, 15, 12, 14, 9, 4, 1, 0, 3, 11, 5, 2, 6, 10, 8, 13],
  [4, 10, 7, 12, 0, 15, 2, 8, 14, 1, 6, 5, 13, 11, 9, 3],
  [7, 6, 4, 11, 9, 12, 2, 10, 1, 8, 0, 14, 15, 13, 3, 5],
  [7, 6, 2, 4, 13, 9, 15, 0, 10, 1, 5, 11, 8, 14, 12, 3],
  [13, 14, 4, 1, 7, 0, 5, 10, 3, 12, 8, 15, 6, 2, 9, 11],
  [1, 3, 10, 9, 5, 11, 4, 15, 8, 6, 7, 14, 13, 0, 2, 12],
];

/** C3 of the key schedule, written most significant byte first as in the standard. */
const C3 = Uint8Array.from(
  Buffer.from('ff00ffff000000ffff0000ff00ffff0000ff00ff00ff00ffff00ff00ff00ff00', 'hex').reverse(),
);

/**
 * GOST 28147-89 in simple-replacement mode, one 64-bit block: the hash's encryption step. The round function's
 * substitution and 11-bit rotation are merged into four byte tables.
 */
class Gost28147 {
  private readonly tables: readonly Uint32Array[];

  constructor(sbox: GostSbox) {
    if (sbox.length !== 8 || sbox.some((row) => row.length !== 16))
      throw new Error('GOST 28147-89: an S-box has 8 rows of 16');
    this.tables = [0, 1, 2, 3].map((j) => {
      const table = new Uint32Array(256);
      const low = sbox[2 * j]!;
      const high = sbox[2 * j + 1]!;
      for (let b = 0; b < 256; b++) {
        const v = ((high[b >>> 4]! << 4) | low[b & 15]!) << (8 * j);
        table[b] = ((v << 11) | (v >>> 21)) >>> 0;
      }
      return table;
    });
  }

  private round(x: number): number {
    const [t0, t1, t2, t3] = this.tables as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
    return t0[x & 255]! ^ t1[(x >>> 8) & 255]! ^ t2[(x >>> 16) & 255]! ^ t3[x >>> 24]!;
  }

  /** Encrypts in[off..off+8) with the 256-bit key into out[off..off+8). */
  encrypt(key: Uint8Array, input: Uint8Array, output: Uint8Array, off: number): void {
    const k = new Uint32Array(8);
    for (let i = 0; i < 8; i++) k[i] = readWord(key, 4 * i);
    let n1 = readWord(input, off);
    let n2 = readWord(input, off + 4);
    // Rounds 1-24 take k1..k8 three times, rounds 25-32 take k8..k1; the last round does not swap halves.
    for (let r = 0; r < 32; r++) {
      const subkey = k[r < 24 ? r % 8 : 31 - r]!;
      const mixed = (n2 ^ this.round((n1 + subkey) >>> 0)) >>> 0;
      if (r < 31) [n1, n2] = [mixed, n1];
      else n2 = mixed;
    }
    writeWord(output, off, n1);
    writeWord(output, off + 4, n2);
  }
}

function readWord(bytes: Uint8Array, off: number): number {
  return (bytes[off]! | (bytes[off + 1]! << 8) | (bytes[off + 2]! << 16) | (bytes[off + 3]! << 24)) >>> 0;
}

function writeWord(bytes: Uint8Array, off: number, v: number): void {
  bytes[off] = v & 255;
  bytes[off + 1] = (v >>> 8) & 255;
  bytes[off + 2] = (v >>> 16) & 255;
  bytes[off + 3] = v >>> 24;
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** A(y4‖y3‖y2‖y1) = (y1 ⊕ y2)‖y4‖y3‖y2, on 64-bit words. */
function shiftA(y: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  out.set(y.subarray(8), 0);
  for (let i = 0; i < 8; i++) out[24 + i] = y[i]! ^ y[8 + i]!;
  return out;
}

/** P: byte i + 4j of the key is byte 8i + j of the input (i < 4, j < 8). */
function permuteP(w: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 8; j++) out[i + 4 * j] = w[8 * i + j]!;
  return out;
}

/** ψ on 16-bit words y16‖…‖y1: shift down one word, the new top is y1 ⊕ y2 ⊕ y3 ⊕ y4 ⊕ y13 ⊕ y16. In place. */
function psi(y: Uint8Array, times: number): void {
  for (let t = 0; t < times; t++) {
    const lo = y[0]! ^ y[2]! ^ y[4]! ^ y[6]! ^ y[24]! ^ y[30]!;
    const hi = y[1]! ^ y[3]! ^ y[5]! ^ y[7]! ^ y[25]! ^ y[31]!;
    y.copyWithin(0, 2);
    y[30] = lo;
    y[31] = hi;
  }
}

/** Σ += m mod 2^256. */
function addInto(sum: Uint8Array, m: Uint8Array): void {
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const v = sum[i]! + m[i]! + carry;
    sum[i] = v & 255;
    carry = v >>> 8;
  }
}

export interface Gost94Hash {
  update(data: Uint8Array): Gost94Hash;
  digest(): Uint8Array;
}

class Gost94 implements Gost94Hash {
  private readonly cipher: Gost28147;
  private h: Uint8Array = new Uint8Array(32);
  private readonly sigma = new Uint8Array(32);
  private readonly buffer = new Uint8Array(32);
  private buffered = 0;
  private bytes = 0;
  private done = false;

  constructor(sbox: GostSbox) {
    this.cipher = new Gost28147(sbox);
  }

  update(data: Uint8Array): Gost94Hash {
    if (this.done) throw new Error('GOST R 34.11-94: update() after digest()');
    let off = 0;
    while (off < data.length) {
      const take = Math.min(32 - this.buffered, data.length - off);
      this.buffer.set(data.subarray(off, off + take), this.buffered);
      this.buffered += take;
      off += take;
      if (this.buffered === 32) {
        this.absorb(this.buffer);
        this.buffered = 0;
      }
    }
    return this;
  }

  digest(): Uint8Array {
    if (this.done) throw new Error('GOST R 34.11-94: digest() called twice');
    this.done = true;
    // The last block is zero-padded at its top. An empty message still hashes one zero block, as stage 3 of the
    // standard reads and OpenSSL's engine does (some libraries skip it and print another hash for "").
    if (this.buffered > 0 || this.bytes === 0) {
      this.buffer.fill(0, this.buffered);
      this.absorb(this.buffer, this.buffered);
    }
    const length = new Uint8Array(32);
    let bits = BigInt(this.bytes) * 8n;
    for (let i = 0; bits > 0n; i++, bits >>= 8n) length[i] = Number(bits & 255n);
    this.step(length);
    this.step(this.sigma);
    return this.h.slice();
  }

  private absorb(block: Uint8Array, count = 32): void {
    this.step(block);
    addInto(this.sigma, block);
    this.bytes += count;
  }

  /** H ← f(H, M): key generation, encryption of H's four words, then the ψ mixing. */
  private step(m: Uint8Array): void {
    const h = this.h;
    const s = new Uint8Array(32);
    let u: Uint8Array = h;
    let v: Uint8Array = m;
    for (let j = 0; j < 4; j++) {
      if (j > 0) {
        u = shiftA(u);
        if (j === 2) u = xor(u, C3);
        v = shiftA(shiftA(v));
      }
      this.cipher.encrypt(permuteP(xor(u, v)), h, s, 8 * j);
    }
    psi(s, 12);
    const t = xor(s, m);
    psi(t, 1);
    const out = xor(t, h);
    psi(out, 61);
    this.h = out;
  }
}

/** Incremental GOST R 34.11-94; the CryptoPro S-box unless another is given (tests use RFC 5831's). */
export function createGost94(sbox: GostSbox = CRYPTOPRO_HASH_SBOX): Gost94Hash {
  return new Gost94(sbox);
}

export function gost94(data: Uint8Array, sbox: GostSbox = CRYPTOPRO_HASH_SBOX): Uint8Array {
  return createGost94(sbox).update(data).digest();
}
