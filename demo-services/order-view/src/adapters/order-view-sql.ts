// The denormalized table the read model serves from, in order-view's own database. The same
// DDL makes the live table and the one a rebuild fills before it is swapped in.
import type { Queryable } from '@hopscope/instrumentation/messaging';
import type { OrderLine, OrderStatus } from '@hopscope/demo-shared/contracts';
import { type OrderView, type ShipmentStatus, emptyView } from '../domain/order-projection.ts';

export const VIEW_TABLE = 'order_view';
export const REBUILD_TABLE = 'order_view_rebuild';

/** The table (and its index) under `name`; the constraint and index names follow it, so a swap can rename them. */
export function viewTableDdl(name: typeof VIEW_TABLE | typeof REBUILD_TABLE): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${name} (
      order_id text CONSTRAINT ${name}_pkey PRIMARY KEY,
      customer text,
      status text NOT NULL DEFAULT 'pending',
      items jsonb,
      amount_cents bigint,
      payment_id text,
      cancellation text,
      shipment_id text,
      shipment_status text,
      reason text,
      placed_at timestamptz,
      -- How many events changed the row (a redelivered or stale event changes nothing).
      version integer NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX IF NOT EXISTS ${name}_customer_placed_at ON ${name} (customer, placed_at DESC, order_id)`,
  ];
}

export const MIGRATIONS = viewTableDdl(VIEW_TABLE);

export const VIEW_COLUMNS =
  'order_id, customer, status, items, amount_cents, payment_id, cancellation, shipment_id, shipment_status, reason, placed_at';

export interface ViewRow {
  order_id: string;
  customer: string | null;
  status: OrderStatus;
  items: OrderLine[] | null;
  amount_cents: string | null;
  payment_id: string | null;
  cancellation: 'requested' | null;
  shipment_id: string | null;
  shipment_status: ShipmentStatus | null;
  reason: string | null;
  placed_at: Date | null;
  updated_at: Date;
}

export function toView(row: ViewRow): OrderView {
  return {
    ...emptyView(row.order_id),
    customer: row.customer,
    status: row.status,
    items: row.items,
    amountCents: row.amount_cents === null ? null : Number(row.amount_cents),
    paymentId: row.payment_id,
    cancellation: row.cancellation,
    reason: row.reason,
    placedAt: row.placed_at?.toISOString() ?? null,
    shipment: row.shipment_status ? { shipmentId: row.shipment_id, status: row.shipment_status } : null,
  };
}

/** A view as the column values of VIEW_COLUMNS, in order. */
export function toColumns(view: OrderView): unknown[] {
  return [
    view.orderId,
    view.customer,
    view.status,
    view.items === null ? null : JSON.stringify(view.items),
    view.amountCents,
    view.paymentId,
    view.cancellation,
    view.shipment?.shipmentId ?? null,
    view.shipment?.status ?? null,
    view.reason,
    view.placedAt,
  ];
}

/** What the API returns for one order. */
export interface OrderResource {
  orderId: string;
  customer: string | null;
  status: OrderStatus;
  items: OrderLine[] | null;
  amountCents: number | null;
  paymentId: string | null;
  cancellation: 'requested' | null;
  /** Null until the shipment's id is known (a cancellation can arrive before its scheduling). */
  shipment: { shipmentId: string; status: ShipmentStatus } | null;
  reason: string | null;
  updatedAt: string;
}

function toResource(row: ViewRow): OrderResource {
  const view = toView(row);
  return {
    orderId: view.orderId,
    customer: view.customer,
    status: view.status,
    items: view.items,
    amountCents: view.amountCents,
    paymentId: view.paymentId,
    cancellation: view.cancellation,
    shipment: view.shipment?.shipmentId ? { shipmentId: view.shipment.shipmentId, status: view.shipment.status } : null,
    reason: view.reason,
    updatedAt: row.updated_at.toISOString(),
  };
}

export class OrderViewSql {
  /**
   * The order's row, created empty if missing and locked for the rest of the transaction, so two
   * events of one order take turns. Both statements wait while a rebuild swaps the table.
   */
  async lockForUpdate(tx: Queryable, orderId: string): Promise<OrderView> {
    await tx.query(`INSERT INTO ${VIEW_TABLE} (order_id) VALUES ($1) ON CONFLICT (order_id) DO NOTHING`, [orderId]);
    const { rows } = await tx.query<ViewRow>(
      `SELECT ${VIEW_COLUMNS}, updated_at FROM ${VIEW_TABLE} WHERE order_id = $1 FOR UPDATE`,
      [orderId],
    );
    return toView(rows[0]);
  }

  async save(tx: Queryable, view: OrderView): Promise<void> {
    await tx.query(
      `UPDATE ${VIEW_TABLE} SET customer = $2, status = $3, items = $4, amount_cents = $5, payment_id = $6,
         cancellation = $7, shipment_id = $8, shipment_status = $9, reason = $10, placed_at = $11,
         version = version + 1, updated_at = now()
       WHERE order_id = $1`,
      toColumns(view),
    );
  }

  /** An order, once its placement has been seen. */
  async find(db: Queryable, orderId: string): Promise<OrderResource | undefined> {
    const { rows } = await db.query<ViewRow>(
      `SELECT ${VIEW_COLUMNS}, updated_at FROM ${VIEW_TABLE} WHERE order_id = $1 AND placed_at IS NOT NULL`,
      [orderId],
    );
    return rows[0] ? toResource(rows[0]) : undefined;
  }

  /** A customer's orders, newest first. */
  async listByCustomer(db: Queryable, customer: string, limit: number): Promise<OrderResource[]> {
    const { rows } = await db.query<ViewRow>(
      `SELECT ${VIEW_COLUMNS}, updated_at FROM ${VIEW_TABLE}
       WHERE customer = $1 AND placed_at IS NOT NULL
       ORDER BY placed_at DESC, order_id LIMIT $2`,
      [customer, limit],
    );
    return rows.map(toResource);
  }
}
