// Test helpers: the rows of payments and of the bank, as the tests look at them.
import { eventually } from '@hopscope/demo-shared/testing';
import type pg from 'pg';

export interface BankCharge {
  reference: string;
  amount_cents: string;
  refunded: boolean;
}

export async function bankCharges(bankDb: pg.Pool, reference?: string): Promise<BankCharge[]> {
  const { rows } = await bankDb.query<BankCharge>(
    `SELECT reference, amount_cents, refunded_at IS NOT NULL AS refunded FROM charges
     WHERE $1::text IS NULL OR reference = $1`,
    [reference ?? null],
  );
  return rows;
}

/** The status of the order's payment, undefined if payments has none. */
export async function paymentStatus(db: pg.Pool, orderId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ status: string }>('SELECT status FROM payments WHERE order_id = $1', [orderId]);
  return rows[0]?.status;
}

/** Waits until the order's payment has `status`. */
export async function waitForPaymentStatus(db: pg.Pool, orderId: string, status: string, timeoutMs = 15_000) {
  await eventually(
    `payment of ${orderId} ${status}`,
    async () => ((await paymentStatus(db, orderId)) === status ? true : undefined),
    timeoutMs,
  );
}
