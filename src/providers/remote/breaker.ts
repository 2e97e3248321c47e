/**
 * A circuit breaker per upstream: after `failureThreshold` consecutive failures it opens for `coolDownMs`, during
 * which calls fail fast without touching the network; then it lets exactly one trial call through (half-open),
 * whose outcome closes it or opens it again for another cool-down. The clock is injectable for tests.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSettings {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  readonly coolDownMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { failureThreshold: 5, coolDownMs: 30_000 };

/** What `acquire` hands out: report the call's outcome through it exactly once. */
export interface BreakerPermit {
  readonly trial: boolean;
  success(): void;
  failure(): void;
}

export type BreakerDecision =
  | { readonly allowed: true; readonly permit: BreakerPermit }
  | { readonly allowed: false; readonly reason: string; readonly retryInMs: number };

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(
    private readonly settings: BreakerSettings = DEFAULT_BREAKER,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.settings.coolDownMs ? 'half-open' : 'open';
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** May a call go out now? When allowed, the permit must be settled with the call's outcome. */
  acquire(): BreakerDecision {
    const state = this.state;
    if (state === 'open') {
      const retryInMs = Math.max(0, (this.openedAt ?? 0) + this.settings.coolDownMs - this.now());
      return {
        allowed: false,
        reason: `circuit open after ${this.failures} consecutive failures`,
        retryInMs,
      };
    }
    if (state === 'half-open') {
      if (this.trialInFlight)
        return { allowed: false, reason: 'circuit half-open, a trial call is in flight', retryInMs: 0 };
      this.trialInFlight = true;
      return { allowed: true, permit: this.permit(true) };
    }
    return { allowed: true, permit: this.permit(false) };
  }

  private permit(trial: boolean): BreakerPermit {
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      if (trial) this.trialInFlight = false;
      if (ok) {
        this.failures = 0;
        this.openedAt = undefined;
        return;
      }
      this.failures++;
      // A failed trial reopens at once; a closed circuit opens at the threshold. A call that started while the
      // circuit was closed and fails after it opened only counts; it does not push the cool-down further.
      if (trial || (this.openedAt === undefined && this.failures >= this.settings.failureThreshold)) {
        this.openedAt = this.now();
      }
    };
    return { trial, success: () => settle(true), failure: () => settle(false) };
  }
}
