// A payment's life, as data. One row per order (its charge), moved by what the bank answers:
//
//   charge:  charged ─────────────── refund: refunded
//            declined (nothing taken)         refund_pending ── retried with backoff ──> refunded
//            refund_pending (outcome unknown: the bank may have taken it) ──> refunded | declined
//   refund before any charge: refund_pending (by reference, in case) ──> declined | refunded
//
// "No charge is left without a refund": a refund the bank cannot take now is owed, recorded
// as refund_pending in the same transaction as the decision, and retried until it is taken.

export type PaymentStatus = 'charged' | 'declined' | 'refund_pending' | 'refunded';

/** What a charge came to, as the caller of the bank (through its breaker) sees it. */
export type ChargeOutcome =
  | { kind: 'charged'; bankChargeId: string }
  /** Nothing was taken: the bank refused, or was never reached (breaker open, 503, refused connection). */
  | { kind: 'declined'; reason: string }
  /** The bank may have taken the money (no answer in time): refund it by reference to be sure. */
  | { kind: 'unknown'; reason: string };

export type RefundOutcome =
  | { kind: 'refunded' }
  /** The bank holds no charge for this reference: nothing to give back. */
  | { kind: 'no-charge' }
  | { kind: 'unavailable'; reason: string };

export function statusAfterCharge(outcome: ChargeOutcome): PaymentStatus {
  if (outcome.kind === 'charged') return 'charged';
  return outcome.kind === 'declined' ? 'declined' : 'refund_pending';
}

/**
 * After a refund attempt. `chargeConfirmed`: the bank confirmed the charge earlier; when it
 * did not (an unknown outcome), "no such charge" means nothing was ever taken: declined.
 */
export function statusAfterRefund(outcome: RefundOutcome, chargeConfirmed: boolean): PaymentStatus {
  if (outcome.kind === 'unavailable') return 'refund_pending';
  if (outcome.kind === 'no-charge' && !chargeConfirmed) return 'declined';
  return 'refunded';
}

/** Whether the money of a payment in this status is at the bank, still to be returned on a refund. */
export function holdsMoney(status: PaymentStatus): boolean {
  return status === 'charged';
}

const MAX_RETRY_DELAY_MS = 60_000;

/**
 * Delay before the next try of a pending refund: exponential from `baseMs`, capped at a
 * minute, with full jitter so that refunds owed since the same outage do not hit the
 * recovering bank together.
 */
export function refundRetryDelayMs(attempts: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.min(attempts, 20));
  return Math.round(baseMs / 2 + random() * Math.max(0, ceiling - baseMs / 2));
}
