/**
 * Point arithmetic for the GOST curves with BigInt: Jacobian coordinates (x = X/Z², y = Y/Z³, Z = 0 is the
 * point at infinity), a fixed-base comb table for the generator (signing: no doublings at all) and width-5
 * NAF for an arbitrary point (verification). Not constant-time: BigInt gives no such guarantee; the nonce is
 * never reused, which is what the signature scheme itself depends on.
 */
import type { GostCurve } from './curves.js';

export interface AffinePoint {
  readonly x: bigint;
  readonly y: bigint;
}

interface Jacobian {
  x: bigint;
  y: bigint;
  z: bigint;
}

const INFINITY: Readonly<Jacobian> = Object.freeze({ x: 1n, y: 1n, z: 0n });
/** Comb window for the generator table: 2^6 - 1 points per window, ⌈bits/6⌉ windows (~20 ms to build). */
const COMB_BITS = 6;
/** Smaller window for per-public-key tables: cheaper to build, one more addition per 4 bits. */
const KEY_COMB_BITS = 4;
const KEY_CACHE_SIZE = 64;
/** wNAF width for the variable point: odd multiples 1P, 3P, …, 15P. */
const NAF_WIDTH = 5;

/** Modular inverse by the extended Euclidean algorithm; a must be non-zero modulo m. */
export function modInverse(a: bigint, m: bigint): bigint {
  let r0 = ((a % m) + m) % m;
  if (r0 === 0n) throw new RangeError('GOST R 34.10: inverse of zero');
  let r1 = m;
  let s0 = 1n;
  let s1 = 0n;
  while (r1 !== 0n) {
    const t = r0 / r1;
    [r0, r1] = [r1, r0 - t * r1];
    [s0, s1] = [s1, s0 - t * s1];
  }
  if (r0 !== 1n) throw new RangeError('GOST R 34.10: value not invertible');
  return s0 < 0n ? s0 + m : s0;
}

/** Arithmetic bound to one curve; build through arithmeticFor() so the tables are shared. */
export class CurveArithmetic {
  readonly curve: GostCurve;
  private readonly p: bigint;
  private readonly a: bigint;
  private readonly aIsMinus3: boolean;
  private readonly reduce: (x: bigint) => bigint;
  private baseTable: CombTable | undefined;
  /** Comb tables of recently used public keys, most recent last (Map keeps insertion order). */
  private readonly keyTables = new Map<string, CombTable>();

  constructor(curve: GostCurve) {
    this.curve = curve;
    this.p = curve.p;
    this.a = curve.a;
    this.aIsMinus3 = curve.a === curve.p - 3n;
    this.reduce = makeReducer(curve.p);
  }

  isOnCurve(pt: AffinePoint): boolean {
    const { p } = this;
    if (pt.x < 0n || pt.x >= p || pt.y < 0n || pt.y >= p) return false;
    const lhs = (pt.y * pt.y) % p;
    const rhs = (((pt.x * pt.x) % p) * pt.x + this.a * pt.x + this.curve.b) % p;
    return lhs === rhs;
  }

  /** k·G with the precomputed comb; k must be in [1, q-1]. */
  mulBase(k: bigint): Jacobian {
    this.baseTable ??= new CombTable(this, { x: this.curve.gx, y: this.curve.gy }, COMB_BITS);
    return this.baseTable.mul(k);
  }

  /**
   * k·Q through a comb table cached per public key: a gateway verifies against a few registered keys
   * again and again, so the ~15 ms table build pays for itself from the second verification on.
   */
  mulCached(pt: AffinePoint, k: bigint): Jacobian {
    const key = `${pt.x.toString(16)}:${pt.y.toString(16)}`;
    let table = this.keyTables.get(key);
    if (table) {
      this.keyTables.delete(key);
    } else {
      table = new CombTable(this, pt, KEY_COMB_BITS);
      if (this.keyTables.size >= KEY_CACHE_SIZE) {
        const oldest = this.keyTables.keys().next();
        if (!oldest.done) this.keyTables.delete(oldest.value);
      }
    }
    this.keyTables.set(key, table);
    return table.mul(k);
  }

  /** k·P for an arbitrary affine point, width-5 NAF over precomputed odd multiples. */
  mul(pt: AffinePoint, k: bigint): Jacobian {
    const odd = this.oddMultiples(pt);
    const naf = wnaf(k, NAF_WIDTH);
    let acc: Jacobian = INFINITY;
    for (let i = naf.length - 1; i >= 0; i--) {
      acc = this.double(acc);
      const d = naf[i]!;
      if (d > 0) {
        const m = odd[(d - 1) >> 1]!;
        acc = this.addAffine(acc, m.x, m.y);
      } else if (d < 0) {
        const m = odd[(-d - 1) >> 1]!;
        acc = this.addAffine(acc, m.x, this.p - m.y);
      }
    }
    return acc;
  }

  /** u1·G + u2·Q, the verification combination; cacheKey selects the per-key comb instead of wNAF. */
  mulBaseAdd(u1: bigint, q: AffinePoint, u2: bigint, cacheKey: boolean): Jacobian {
    return this.add(this.mulBase(u1), cacheKey ? this.mulCached(q, u2) : this.mul(q, u2));
  }

  toAffine(pt: Jacobian): AffinePoint | null {
    if (pt.z === 0n) return null;
    const zi = modInverse(pt.z, this.p);
    const zi2 = this.reduce(zi * zi);
    return { x: this.reduce(pt.x * zi2), y: this.reduce(pt.y * this.reduce(zi2 * zi)) };
  }

  /** Affine x of a Jacobian point compared with a candidate without inverting Z: X ≡ x·Z² (mod p). */
  xEquals(pt: Jacobian, x: bigint): boolean {
    if (pt.z === 0n) return false;
    return this.reduce(pt.x) === this.reduce(x * this.reduce(pt.z * pt.z));
  }

  double(P: Jacobian): Jacobian {
    if (P.z === 0n || P.y === 0n) return INFINITY;
    const { p, reduce } = this;
    const { x: X, y: Y, z: Z } = P;
    const YY = reduce(Y * Y);
    const ZZ = reduce(Z * Z);
    const S = reduce(4n * X * YY);
    let M: bigint;
    if (this.aIsMinus3) {
      // a = -3: M = 3(X - Z²)(X + Z²), two multiplications fewer.
      M = reduce(3n * (X - ZZ + p) * (X + ZZ));
    } else {
      M = reduce(3n * X * X + this.a * reduce(ZZ * ZZ));
    }
    const X3 = reduce(M * M - 2n * S + 2n * p);
    const Y3 = reduce(M * (S - X3 + p) - 8n * YY * YY);
    const Z3 = reduce(2n * Y * Z);
    return { x: X3, y: Y3, z: Z3 };
  }

  /** P + (x2, y2) with the second point affine (Z = 1). */
  addAffine(P: Jacobian, x2: bigint, y2: bigint): Jacobian {
    if (P.z === 0n) return { x: x2, y: y2, z: 1n };
    const { p, reduce } = this;
    const Z1Z1 = reduce(P.z * P.z);
    const U2 = reduce(x2 * Z1Z1);
    const S2 = reduce(y2 * reduce(P.z * Z1Z1));
    const H = U2 - P.x;
    const R = S2 - P.y;
    if (reduce(H) === 0n) {
      return reduce(R) === 0n ? this.double({ x: x2, y: y2, z: 1n }) : INFINITY;
    }
    const HH = reduce(H * H);
    const HHH = reduce(H * HH);
    const V = reduce(P.x * HH);
    const X3 = reduce(R * R - HHH - 2n * V + 3n * p);
    const Y3 = reduce(R * (V - X3) - P.y * HHH);
    const Z3 = reduce(P.z * H);
    return { x: X3, y: Y3, z: Z3 };
  }

  /** General Jacobian addition (used once per verification). */
  add(P: Jacobian, Q: Jacobian): Jacobian {
    if (P.z === 0n) return Q;
    if (Q.z === 0n) return P;
    const { reduce } = this;
    const Z1Z1 = reduce(P.z * P.z);
    const Z2Z2 = reduce(Q.z * Q.z);
    const U1 = reduce(P.x * Z2Z2);
    const U2 = reduce(Q.x * Z1Z1);
    const S1 = reduce(P.y * reduce(Q.z * Z2Z2));
    const S2 = reduce(Q.y * reduce(P.z * Z1Z1));
    const H = reduce(U2 - U1);
    const R = reduce(S2 - S1);
    if (H === 0n) return R === 0n ? this.double(P) : INFINITY;
    const HH = reduce(H * H);
    const HHH = reduce(H * HH);
    const V = reduce(U1 * HH);
    const X3 = reduce(R * R - HHH - 2n * V);
    const Y3 = reduce(R * (V - X3) - S1 * HHH);
    const Z3 = reduce(reduce(P.z * Q.z) * H);
    return { x: X3, y: Y3, z: Z3 };
  }

  private oddMultiples(pt: AffinePoint): AffinePoint[] {
    const count = 1 << (NAF_WIDTH - 2);
    const jac: Jacobian[] = [{ x: pt.x, y: pt.y, z: 1n }];
    const twice = this.toAffine(this.double(jac[0]!));
    for (let i = 1; i < count; i++) {
      const prev = jac[i - 1]!;
      jac.push(twice ? this.addAffine(prev, twice.x, twice.y) : prev);
    }
    return this.normalizeAll(jac);
  }

  /** Batch conversion to affine with one inversion (Montgomery's trick); no point may be at infinity. */
  normalizeAll(pts: Jacobian[]): AffinePoint[] {
    const { p, reduce } = this;
    const prefix: bigint[] = new Array<bigint>(pts.length);
    let accum = 1n;
    for (let i = 0; i < pts.length; i++) {
      prefix[i] = accum;
      accum = reduce(accum * pts[i]!.z);
    }
    let inv = modInverse(accum, p);
    const out: AffinePoint[] = new Array<AffinePoint>(pts.length);
    for (let i = pts.length - 1; i >= 0; i--) {
      const pt = pts[i]!;
      const zi = reduce(inv * prefix[i]!);
      inv = reduce(inv * pt.z);
      const zi2 = reduce(zi * zi);
      out[i] = { x: reduce(pt.x * zi2), y: reduce(pt.y * reduce(zi2 * zi)) };
    }
    return out;
  }
}

/** Fixed-point comb: entry (w, v) = v·2^(bits·w)·P for v = 1..2^bits - 1, stored affine. */
class CombTable {
  private readonly xs: bigint[];
  private readonly ys: bigint[];
  private readonly size: number;

  constructor(
    private readonly ar: CurveArithmetic,
    pt: AffinePoint,
    private readonly bits: number,
  ) {
    this.size = (1 << bits) - 1;
    const windows = Math.ceil(ar.curve.q.toString(2).length / bits);
    const all: Jacobian[] = [];
    let base: Jacobian = { x: pt.x, y: pt.y, z: 1n };
    for (let w = 0; w < windows; w++) {
      let cur = base;
      all.push(cur);
      for (let v = 2; v <= this.size; v++) {
        cur = ar.add(cur, base);
        all.push(cur);
      }
      // Next window's base: 2^bits times this one, i.e. (size + 1)·base.
      base = ar.add(cur, base);
    }
    const aff = ar.normalizeAll(all);
    this.xs = aff.map((p) => p.x);
    this.ys = aff.map((p) => p.y);
  }

  /** k·P as a sum of one table entry per window: no doublings. k must be in [0, q). */
  mul(k: bigint): Jacobian {
    let acc: Jacobian = INFINITY;
    const mask = BigInt(this.size);
    const shift = BigInt(this.bits);
    let rest = k;
    for (let w = 0; rest !== 0n; w++) {
      const v = Number(rest & mask);
      rest >>= shift;
      if (v !== 0) {
        const i = w * this.size + v - 1;
        acc = this.ar.addAffine(acc, this.xs[i]!, this.ys[i]!);
      }
    }
    return acc;
  }
}

/** Width-w NAF digits of k, least significant first. */
function wnaf(k: bigint, w: number): number[] {
  const out: number[] = [];
  const full = 1 << w;
  const half = full >> 1;
  const mask = BigInt(full - 1);
  let n = k;
  while (n > 0n) {
    if (n & 1n) {
      let d = Number(n & mask);
      if (d >= half) d -= full;
      out.push(d);
      n -= BigInt(d);
    } else {
      out.push(0);
    }
    n >>= 1n;
  }
  return out;
}

/**
 * Reduction modulo p. For p = 2^n - c with small c (CryptoPro A, TC26 256 A, TC26 512 A/C) two folds of
 * the high part times c replace a division; otherwise BigInt %. Both accept negative input.
 */
function makeReducer(p: bigint): (x: bigint) => bigint {
  const n = BigInt(p.toString(2).length);
  const c = (1n << n) - p;
  if (c > 0n && c < 1n << 32n) {
    const mask = (1n << n) - 1n;
    return (x: bigint): bigint => {
      x = (x & mask) + (x >> n) * c;
      x = (x & mask) + (x >> n) * c;
      if (x >= p) x -= p;
      else if (x < 0n) x += p;
      if (x >= p) x -= p;
      return x;
    };
  }
  return (x: bigint): bigint => {
    const r = x % p;
    return r < 0n ? r + p : r;
  };
}

const cache = new WeakMap<GostCurve, CurveArithmetic>();

/** The shared arithmetic object (and generator table) for a curve. */
export function arithmeticFor(curve: GostCurve): CurveArithmetic {
  let ar = cache.get(curve);
  if (!ar) {
    ar = new CurveArithmetic(curve);
    cache.set(curve, ar);
  }
  return ar;
}
