// Payments' database: one row per order (the primary key is what makes "one charge per
// order" hold even when two different messages ask for it), with the bank's charge id once
// the bank confirmed it, and the schedule of a refund that is owed but not yet taken.
import type { Queryable } from '@hopscope/instrumentation/messaging';
import type { PaymentStatus } from '../domain/payment.ts';

export const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS payments (
    order_id text PRIMARY KEY,
    payment_id uuid NOT NULL DEFAULT gen_random_uuid(),
    -- NULL and 0: a refund came before any charge was recorded (see PaymentActions.refund).
    customer text,
    amount_cents bigint NOT NULL,
    status text NOT NULL CHECK (status IN ('charged', 'declined', 'refund_pending', 'refunded')),
    -- NULL: the bank never confirmed a charge (declined, or its outcome is unknown).
    bank_charge_id text,
    reason text,
    refund_attempts integer NOT NULL DEFAULT 0,
    next_refund_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX IF NOT EXISTS payments_refunds_due ON payments (next_refund_at) WHERE status = 'refund_pending'`,
];

export interface Payment {
  orderId: string;
  paymentId: string;
  amountCents: number;
  status: PaymentStatus;
  bankChargeId: string | null;
  reason: string | null;
  refundAttempts: number;
}

interface PaymentRow {
  order_id: string;
  payment_id: string;
  amount_cents: string;
  status: PaymentStatus;
  bank_charge_id: string | null;
  reason: string | null;
  refund_attempts: number;
}

const COLUMNS = 'order_id, payment_id, amount_cents, status, bank_charge_id, reason, refund_attempts';

const toPayment = (row: PaymentRow): Payment => ({
  orderId: row.order_id,
  paymentId: row.payment_id,
  amountCents: Number(row.amount_cents),
  status: row.status,
  bankChargeId: row.bank_charge_id,
  reason: row.reason,
  refundAttempts: row.refund_attempts,
});

export interface NewPayment {
  orderId: string;
  customer: string | null;
  amountCents: number;
  status: PaymentStatus;
  bankChargeId: string | null;
  reason: string | null;
  /** For a refund_pending payment: when to try the refund. */
  refundInMs?: number;
}

export class PaymentsSql {
  /** Serializes the work on one order (its charge and its refund never interleave), until the transaction ends. */
  async lockOrder(tx: Queryable, orderId: string): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 11))', [orderId]);
  }

  async find(db: Queryable, orderId: string): Promise<Payment | undefined> {
    const { rows } = await db.query<PaymentRow>(`SELECT ${COLUMNS} FROM payments WHERE order_id = $1`, [orderId]);
    return rows[0] ? toPayment(rows[0]) : undefined;
  }

  async insert(tx: Queryable, payment: NewPayment): Promise<Payment> {
    const { rows } = await tx.query<PaymentRow>(
      `INSERT INTO payments (order_id, customer, amount_cents, status, bank_charge_id, reason, next_refund_at)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int / 1000.0) END)
       RETURNING ${COLUMNS}`,
      [
        payment.orderId,
        payment.customer,
        payment.amountCents,
        payment.status,
        payment.bankChargeId,
        payment.reason,
        payment.refundInMs ?? null,
      ],
    );
    return toPayment(rows[0]);
  }

  /** Moves a payment to `status`; a refund_pending one is (re)scheduled `refundInMs` from now. */
  async setStatus(
    tx: Queryable,
    orderId: string,
    status: PaymentStatus,
    reason: string | null,
    refundInMs?: number,
  ): Promise<void> {
    await tx.query(
      `UPDATE payments SET status = $2, reason = coalesce($3, reason), updated_at = now(),
         refund_attempts = refund_attempts + CASE WHEN $4::int IS NULL THEN 0 ELSE 1 END,
         next_refund_at = CASE WHEN $4::int IS NULL THEN NULL ELSE now() + make_interval(secs => $4::int / 1000.0) END
       WHERE order_id = $1`,
      [orderId, status, reason, status === 'refund_pending' ? (refundInMs ?? 0) : null],
    );
  }

  /** The next refund that is due, locked (another instance skips it): the retrier's work item. */
  async claimDueRefund(tx: Queryable): Promise<Payment | undefined> {
    const { rows } = await tx.query<PaymentRow>(
      `SELECT ${COLUMNS} FROM payments WHERE status = 'refund_pending' AND next_refund_at <= now()
       ORDER BY next_refund_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    );
    return rows[0] ? toPayment(rows[0]) : undefined;
  }
}
