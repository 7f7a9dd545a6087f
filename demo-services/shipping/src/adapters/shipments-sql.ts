// Shipping's own table: one shipment per order (order_id is the key), so a redelivered or
// duplicated event can never create a second one.
import type { Queryable } from '@hopscope/instrumentation/messaging';
import type { Shipment, ShipmentStatus } from '../domain/shipment.ts';

export const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS shipments (
    order_id text PRIMARY KEY,
    shipment_id text NOT NULL UNIQUE,
    status text NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
    cancel_saga_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
];

interface ShipmentRow {
  order_id: string;
  shipment_id: string;
  status: ShipmentStatus;
}

const toShipment = (row: ShipmentRow): Shipment => ({
  orderId: row.order_id,
  shipmentId: row.shipment_id,
  status: row.status,
});

export class ShipmentsSql {
  /**
   * The order's shipment, with the order locked for the rest of the transaction: two events of
   * one order (a confirmation and a refund) handled at once take turns, even before a row exists.
   */
  async lockAndFind(tx: Queryable, orderId: string): Promise<Shipment | undefined> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [orderId]);
    return this.find(tx, orderId);
  }

  async find(db: Queryable, orderId: string): Promise<Shipment | undefined> {
    const { rows } = await db.query<ShipmentRow>(
      'SELECT order_id, shipment_id, status FROM shipments WHERE order_id = $1',
      [orderId],
    );
    return rows[0] ? toShipment(rows[0]) : undefined;
  }

  async save(tx: Queryable, shipment: Shipment, cancelSagaId?: string): Promise<void> {
    await tx.query(
      `INSERT INTO shipments (order_id, shipment_id, status, cancel_saga_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (order_id) DO UPDATE
         SET status = EXCLUDED.status, cancel_saga_id = coalesce(EXCLUDED.cancel_saga_id, shipments.cancel_saga_id),
             updated_at = now()`,
      [shipment.orderId, shipment.shipmentId, shipment.status, cancelSagaId ?? null],
    );
  }
}
