// The bank's own chaos knobs, on top of every service's (demo-services/shared/src/chaos/):
// the ways a payment provider fails its callers that a generic HTTP fault cannot show. Only
// the bank's admin API accepts them; adapters/bank-chaos.ts makes them act on its calls.
//   bank.timeout    the call is taken (the ledger written) but its answer held back, past any
//                   caller's timeout: the caller cannot tell whether the money was taken
//   bank.5xx-burst  the next `count` calls fail with `status` before touching the ledger, then
//                   the knob turns itself off (an outage that ends by itself)
//   bank.slow       every call takes longer, and still succeeds
import type { FaultSpecs } from '@hopscope/demo-shared/chaos-faults';

const MS = { min: 0, max: 60_000, fallback: 0, integer: true };

export const BANK_FAULTS = {
  'bank.timeout': { rate: { min: 0, max: 1, fallback: 1, integer: false } },
  'bank.5xx-burst': {
    count: { min: 1, max: 10_000, integer: true },
    status: { min: 500, max: 599, fallback: 503, integer: true },
  },
  'bank.slow': { fixedMs: MS, jitterMs: MS },
} as const satisfies FaultSpecs;

/**
 * How long bank.timeout holds an answer when the caller does not give up first: beyond the
 * longest timeout payments can be configured with (PAYMENTS_BANK_TIMEOUT_MS ≤ 60 s, its
 * request aborted 1 s later), so every caller times out, and a caller that never does still
 * gets its answer, late, instead of a connection held forever.
 */
export const TIMEOUT_HOLD_MS = 120_000;

/** The calls left in a 5xx burst. */
export class Burst {
  private remaining = 0;

  start(count: number): void {
    this.remaining = count;
  }

  stop(): void {
    this.remaining = 0;
  }

  /** Whether this call fails, and whether it was the burst's last. */
  take(): { fail: boolean; last: boolean } {
    if (this.remaining <= 0) return { fail: false, last: false };
    this.remaining -= 1;
    return { fail: true, last: this.remaining === 0 };
  }
}
