/**
 * The rate quota per sending system: a token bucket per system in this instance's memory, refilled at
 * `perSecond` up to `burst`. Applied to every operation once the sender is verified. With several instances
 * behind one address each holds its own buckets, so the limit a system meets is per instance (README).
 */
import type { RateQuota } from '../exchange/dependencies.js';
import { GatewayFault } from '../soap/faults.js';

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBucketQuota implements RateQuota {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  take(system: string, now: Date): void {
    const at = now.getTime();
    const bucket = this.buckets.get(system) ?? { tokens: this.burst, at };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((at - bucket.at) / 1000) * this.perSecond);
    bucket.at = at;
    this.buckets.set(system, bucket);
    if (bucket.tokens < 1) {
      throw new GatewayFault(
        'QuoteLimitExceeded',
        `${system} exceeded its rate of ${this.perSecond} requests per second`,
        { fields: [['RemainedTotalQuoteSize', '0']] },
      );
    }
    bucket.tokens -= 1;
  }
}
