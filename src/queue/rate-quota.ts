/**
 * The rate quota per sending system: a token bucket per system, refilled at `perSecond` up to `burst`, applied
 * to every operation once the sender is verified. The buckets live in the store, so every gateway instance on it
 * draws from the same bucket and a system meets its rate however many instances stand behind one address.
 * Taking a token is one statement: refill from the time passed, and take one only if one is there.
 */
import { sql, type Kysely } from 'kysely';
import type { RateQuota } from '../core/ports.js';
import { GatewayFault } from '../core/faults.js';
import type { Store } from '../store/store.js';

export class StoreRateQuota implements RateQuota {
  private readonly db: Kysely<unknown>;
  /** The two-argument minimum and maximum: least/greatest in PostgreSQL, min/max in SQLite. */
  private readonly least: string;
  private readonly greatest: string;

  constructor(
    store: Store,
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.db = store.db as unknown as Kysely<unknown>;
    [this.least, this.greatest] = store.dialect === 'postgres' ? ['least', 'greatest'] : ['min', 'max'];
  }

  async take(system: string, now: Date): Promise<void> {
    const at = now.getTime();
    const [least, greatest] = [sql.raw(this.least), sql.raw(this.greatest)];
    // Clocks of instances may differ a little: time never runs backwards for a bucket.
    const refilled = sql`${least}(${this.burst}, rate_buckets.tokens + ${greatest}(0, ${at} - rate_buckets.at) / 1000.0 * ${this.perSecond})`;
    const taken = await sql<{ tokens: number }>`
      insert into rate_buckets (system, tokens, at) values (${system}, ${this.burst - 1}, ${at})
      on conflict (system) do update set tokens = ${refilled} - 1, at = ${greatest}(rate_buckets.at, ${at})
      where ${refilled} >= 1
      returning tokens`.execute(this.db);
    if (taken.rows.length === 0) {
      throw new GatewayFault(
        'QuoteLimitExceeded',
        `${system} exceeded its rate of ${this.perSecond} requests per second`,
        { fields: [['RemainedTotalQuoteSize', '0']] },
      );
    }
  }
}
