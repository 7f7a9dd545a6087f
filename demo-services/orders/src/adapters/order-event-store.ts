// The order event log in SQL: append-only, read per order (to fold it) or as the integration
// events in seq order (GET /events, which order-view replays to rebuild its read model).
import type { Queryable } from '@hopscope/instrumentation/messaging';
import { INTEGRATION_EVENT_TYPES, type IntegrationEventType, type OrderEvent } from '../domain/order-events.ts';

export interface StoredIntegrationEvent {
  seq: number;
  type: IntegrationEventType;
  body: unknown;
}

/** The advisory lock appends take turns on (per-order locks are 64-bit hashes: no clash in practice). */
const APPEND_LOCK = 7_242_001;

export class OrderEventStore {
  /**
   * Serializes the writers of one order until the transaction ends, so that two state changes
   * never fold the same state and both append (one writer per order stream).
   */
  async lock(tx: Queryable, orderId: string): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [orderId]);
  }

  async append(tx: Queryable, orderId: string, events: readonly OrderEvent[]): Promise<void> {
    if (events.length === 0) return;
    // seq values are taken when a row is inserted, but become visible when its transaction
    // commits: two concurrent writers could commit seq 8 after a reader paged past seq 9, and
    // a replay (GET /events?after=9) would never see 8. Appends therefore take turns, from
    // the first insert to the commit, so that seq order is commit order. Orders' transactions
    // last milliseconds; at the demo's rates the queue is short.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    for (const event of events) {
      await tx.query('INSERT INTO order_events (order_id, type, data) VALUES ($1, $2, $3)', [
        orderId,
        event.type,
        event.data,
      ]);
    }
  }

  async load(db: Queryable, orderId: string): Promise<OrderEvent[]> {
    const { rows } = await db.query<{ type: string; data: unknown }>(
      'SELECT type, data FROM order_events WHERE order_id = $1 ORDER BY seq',
      [orderId],
    );
    // Written by append() only, so the rows are OrderEvents.
    return rows as OrderEvent[];
  }

  /** Integration events with seq > `after`, oldest first, at most `limit`. */
  async integrationEventsAfter(db: Queryable, after: number, limit: number): Promise<StoredIntegrationEvent[]> {
    const { rows } = await db.query<{ seq: string; type: IntegrationEventType; data: unknown }>(
      'SELECT seq, type, data FROM order_events WHERE seq > $1 AND type = ANY($2) ORDER BY seq LIMIT $3',
      [after, INTEGRATION_EVENT_TYPES, limit],
    );
    return rows.map((row) => ({ seq: Number(row.seq), type: row.type, body: row.data }));
  }
}
