/**
 * Streebog, GOST R 34.11-2012 (RFC 6986), 256- and 512-bit.
 *
 * Byte order: bytes in, bytes out, exactly as `openssl dgst -md_gost12_256` / `-md_gost12_512` (GOST engine)
 * and as SMEV/XMLDSig DigestValue carry them. RFC 6986 prints messages and hashes as big-endian numbers; the
 * byte strings are those numbers reversed (the RFC's M1 "3231…30" is the ASCII text "01…2").
 *
 * The 512-bit state is held as sixteen 32-bit lanes (lane 2w = low half of 64-bit word w, lane 2w+1 = high),
 * word w being bytes 8w..8w+7 little-endian. The S, P and L steps are fused into eight 256-entry tables of
 * 64-bit values (lo/hi lane pairs), so one LPS is 64 table look-ups; nothing is allocated per block.
 */
import { A, C, PI } from './streebog-constants.js';

/** LPS_TABLE[(j << 9) | (b << 1)] and [+1]: lo and hi lanes of L(P(S(byte b placed in byte j of word i)))[i]. */
const LPS_TABLE: Int32Array = buildLpsTable();
/** The 12 round constants as lanes. */
const C_LANES: Int32Array[] = C.map((words) => wordsToLanes(words));

function wordsToLanes(words: readonly string[]): Int32Array {
  const out = new Int32Array(16);
  words.forEach((w, i) => {
    out[2 * i] = parseInt(w.slice(8), 16) | 0;
    out[2 * i + 1] = parseInt(w.slice(0, 8), 16) | 0;
  });
  return out;
}

function buildLpsTable(): Int32Array {
  const aLo = A.map((h) => parseInt(h.slice(8), 16) | 0);
  const aHi = A.map((h) => parseInt(h.slice(0, 8), 16) | 0);
  const t = new Int32Array(8 * 256 * 2);
  for (let j = 0; j < 8; j++) {
    for (let b = 0; b < 256; b++) {
      const v = PI[b] ?? 0;
      let lo = 0;
      let hi = 0;
      for (let bit = 0; bit < 8; bit++) {
        if ((v >>> bit) & 1) {
          // After P, byte j of the word holds bits 8j..8j+7; bit k of the word selects row A[63 - k].
          const row = 63 - (8 * j + bit);
          lo ^= aLo[row] ?? 0;
          hi ^= aHi[row] ?? 0;
        }
      }
      t[(j << 9) | (b << 1)] = lo;
      t[(j << 9) | (b << 1) | 1] = hi;
    }
  }
  return t;
}

/** out = LPS(x ^ y). out must not alias x or y. */
function xlps(x: Int32Array, y: Int32Array, out: Int32Array): void {
  const T = LPS_TABLE;
  // 16 lanes of x ^ y, read once into locals.
  const l0 = x[0]! ^ y[0]!,
    h0 = x[1]! ^ y[1]!,
    l1 = x[2]! ^ y[2]!,
    h1 = x[3]! ^ y[3]!;
  const l2 = x[4]! ^ y[4]!,
    h2 = x[5]! ^ y[5]!,
    l3 = x[6]! ^ y[6]!,
    h3 = x[7]! ^ y[7]!;
  const l4 = x[8]! ^ y[8]!,
    h4 = x[9]! ^ y[9]!,
    l5 = x[10]! ^ y[10]!,
    h5 = x[11]! ^ y[11]!;
  const l6 = x[12]! ^ y[12]!,
    h6 = x[13]! ^ y[13]!,
    l7 = x[14]! ^ y[14]!,
    h7 = x[15]! ^ y[15]!;
  // Bytes 0..3 of every word come from the low lanes, bytes 4..7 from the high lanes.
  for (let i = 0; i < 4; i++) {
    const sh = i << 3;
    const i0 = ((l0 >>> sh) & 255) << 1;
    const i1 = 512 | (((l1 >>> sh) & 255) << 1);
    const i2 = 1024 | (((l2 >>> sh) & 255) << 1);
    const i3 = 1536 | (((l3 >>> sh) & 255) << 1);
    const i4 = 2048 | (((l4 >>> sh) & 255) << 1);
    const i5 = 2560 | (((l5 >>> sh) & 255) << 1);
    const i6 = 3072 | (((l6 >>> sh) & 255) << 1);
    const i7 = 3584 | (((l7 >>> sh) & 255) << 1);
    out[2 * i] = T[i0]! ^ T[i1]! ^ T[i2]! ^ T[i3]! ^ T[i4]! ^ T[i5]! ^ T[i6]! ^ T[i7]!;
    out[2 * i + 1] =
      T[i0 | 1]! ^ T[i1 | 1]! ^ T[i2 | 1]! ^ T[i3 | 1]! ^ T[i4 | 1]! ^ T[i5 | 1]! ^ T[i6 | 1]! ^ T[i7 | 1]!;
  }
  for (let i = 0; i < 4; i++) {
    const sh = i << 3;
    const i0 = ((h0 >>> sh) & 255) << 1;
    const i1 = 512 | (((h1 >>> sh) & 255) << 1);
    const i2 = 1024 | (((h2 >>> sh) & 255) << 1);
    const i3 = 1536 | (((h3 >>> sh) & 255) << 1);
    const i4 = 2048 | (((h4 >>> sh) & 255) << 1);
    const i5 = 2560 | (((h5 >>> sh) & 255) << 1);
    const i6 = 3072 | (((h6 >>> sh) & 255) << 1);
    const i7 = 3584 | (((h7 >>> sh) & 255) << 1);
    out[8 + 2 * i] = T[i0]! ^ T[i1]! ^ T[i2]! ^ T[i3]! ^ T[i4]! ^ T[i5]! ^ T[i6]! ^ T[i7]!;
    out[9 + 2 * i] =
      T[i0 | 1]! ^ T[i1 | 1]! ^ T[i2 | 1]! ^ T[i3 | 1]! ^ T[i4 | 1]! ^ T[i5 | 1]! ^ T[i6 | 1]! ^ T[i7 | 1]!;
  }
}

/** Adds a 16-lane little-endian 512-bit number to acc, modulo 2^512. */
function add512(acc: Int32Array, m: Int32Array): void {
  let carry = 0;
  for (let i = 0; i < 16; i++) {
    const s = (acc[i]! >>> 0) + (m[i]! >>> 0) + carry;
    acc[i] = s | 0;
    carry = s > 0xffffffff ? 1 : 0;
  }
}

/** Adds a small non-negative integer (< 2^32) to acc, modulo 2^512. */
function addSmall(acc: Int32Array, v: number): void {
  let carry = v;
  for (let i = 0; i < 16 && carry !== 0; i++) {
    const s = (acc[i]! >>> 0) + carry;
    acc[i] = s | 0;
    carry = s > 0xffffffff ? 1 : 0;
  }
}

const ZERO = new Int32Array(16);

export type StreebogBits = 256 | 512;

/** Incremental Streebog hash: feed any number of chunks, then call digest() once. */
export interface StreebogHash {
  update(data: Uint8Array): StreebogHash;
  digest(): Uint8Array;
}

class Streebog implements StreebogHash {
  private readonly h = new Int32Array(16);
  private readonly n = new Int32Array(16);
  private readonly sigma = new Int32Array(16);
  private readonly m = new Int32Array(16);
  private readonly k = new Int32Array(16);
  private readonly t = new Int32Array(16);
  private readonly u = new Int32Array(16);
  private readonly v = new Int32Array(16);
  private readonly buf = new Uint8Array(64);
  private bufLen = 0;
  private done = false;

  constructor(private readonly bits: StreebogBits) {
    // IV: all-zero for 512, every byte 0x01 for 256.
    if (bits === 256) this.h.fill(0x01010101);
  }

  update(data: Uint8Array): StreebogHash {
    if (this.done) throw new Error('Streebog: update() after digest()');
    let off = 0;
    const len = data.length;
    if (this.bufLen > 0) {
      const take = Math.min(64 - this.bufLen, len);
      this.buf.set(data.subarray(0, take), this.bufLen);
      this.bufLen += take;
      off = take;
      if (this.bufLen < 64) return this;
      this.loadBlock(this.buf, 0);
      this.block();
      this.bufLen = 0;
    }
    // A full block may be processed at once even if it is the last: padding then adds an empty block,
    // as the standard does for messages whose length is a multiple of 512 bits.
    while (len - off >= 64) {
      this.loadBlock(data, off);
      this.block();
      off += 64;
    }
    if (off < len) {
      this.buf.set(data.subarray(off), 0);
      this.bufLen = len - off;
    }
    return this;
  }

  digest(): Uint8Array {
    if (this.done) throw new Error('Streebog: digest() called twice');
    this.done = true;
    // Final block: the remaining bytes, then 0x01, then zeros (the RFC's 0…01‖M read in byte order).
    const bitLen = this.bufLen * 8;
    this.buf.fill(0, this.bufLen);
    this.buf[this.bufLen] = 0x01;
    this.loadBlock(this.buf, 0);
    this.compress(this.n);
    addSmall(this.n, bitLen);
    add512(this.sigma, this.m);
    this.m.set(this.n);
    this.compress(ZERO);
    this.m.set(this.sigma);
    this.compress(ZERO);
    const out = new Uint8Array(64);
    for (let i = 0; i < 16; i++) {
      const v = this.h[i]!;
      out[4 * i] = v & 255;
      out[4 * i + 1] = (v >>> 8) & 255;
      out[4 * i + 2] = (v >>> 16) & 255;
      out[4 * i + 3] = (v >>> 24) & 255;
    }
    // The 256-bit hash is the most significant half of the state, i.e. its last 32 bytes.
    return this.bits === 512 ? out : out.slice(32);
  }

  private loadBlock(src: Uint8Array, off: number): void {
    const m = this.m;
    for (let i = 0; i < 16; i++) {
      const p = off + 4 * i;
      m[i] = src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24);
    }
  }

  /** Stage 2 of the standard for one 64-byte block already in this.m. */
  private block(): void {
    this.compress(this.n);
    addSmall(this.n, 512);
    add512(this.sigma, this.m);
  }

  /** h = g_N(h, m) = E(LPS(h ^ N), m) ^ h ^ m, with E the 12-round cipher. */
  private compress(nn: Int32Array): void {
    const { h, m } = this;
    // Two ping-pong pairs (k/u for the key schedule, t/v for the state) avoid copying between rounds.
    let k = this.k;
    let u = this.u;
    let t = this.t;
    let v = this.v;
    xlps(h, nn, k);
    // Round 1 uses m directly, later rounds the running state t.
    xlps(k, m, t);
    for (let i = 0; i < 12; i++) {
      xlps(k, C_LANES[i]!, u);
      [k, u] = [u, k];
      if (i < 11) {
        xlps(t, k, v);
        [t, v] = [v, t];
      }
    }
    for (let i = 0; i < 16; i++) h[i] = h[i]! ^ t[i]! ^ k[i]! ^ m[i]!;
  }
}

export function createStreebog(bits: StreebogBits): StreebogHash {
  if (bits !== 256 && bits !== 512) throw new RangeError(`Streebog: unsupported length ${String(bits)}`);
  return new Streebog(bits);
}

export function streebog256(data: Uint8Array): Uint8Array {
  return createStreebog(256).update(data).digest();
}

export function streebog512(data: Uint8Array): Uint8Array {
  return createStreebog(512).update(data).digest();
}
