// Idempotency-Key of POST /orders, per customer. The key is claimed with the unique constraint
// (INSERT … ON CONFLICT DO NOTHING), in the transaction that places the order: of concurrent
// requests with one key, one inserts; the others wait on its row, then find it. A
// read-then-write would let two of them see "no such key" and place two orders.
import type { Queryable } from '@hopscope/instrumentation/messaging';

export type KeyClaim = { claimed: true } | { claimed: false; orderId: string; requestHash: string };

export class IdempotencyKeys {
  async claim(tx: Queryable, customer: string, key: string, requestHash: string, orderId: string): Promise<KeyClaim> {
    const inserted = await tx.query(
      `INSERT INTO idempotency_keys (customer, key, request_hash, order_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (customer, key) DO NOTHING`,
      [customer, key, requestHash, orderId],
    );
    if (inserted.rowCount === 1) return { claimed: true };
    const { rows } = await tx.query<{ order_id: string; request_hash: string }>(
      'SELECT order_id, request_hash FROM idempotency_keys WHERE customer = $1 AND key = $2',
      [customer, key],
    );
    return { claimed: false, orderId: rows[0].order_id, requestHash: rows[0].request_hash };
  }
}
