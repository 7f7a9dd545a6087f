// Where each order stands, read from orders' own database. The order is event-sourced
// (demo-services/orders/src/domain/order-events.ts): no row holds its status, its events do,
// and this is their fold in SQL, so that an invariant over thousands of orders is one query.
import type pg from 'pg';

/** `cancelling`: confirmed, its cancellation requested and not yet ended (the cancel-order saga runs). */
export type OrderState = 'pending' | 'confirmed' | 'cancelling' | 'cancelled' | 'failed';

export const TERMINAL_STATES: ReadonlySet<OrderState> = new Set(['confirmed', 'cancelled', 'failed']);

export interface OrderRow {
  orderId: string;
  state: OrderState;
  /** Seconds since it was placed. */
  ageS: number;
  /** Its price, once inventory reserved the stock (the `stock-reserved` event). */
  amountCents?: number;
  /** What it asked for, per SKU (lines naming a SKU twice are summed, as inventory merges them). */
  quantities: Record<string, number>;
}

// The fold: the status is the last outcome event (confirmed, cancelled, failed; a confirmed
// order is cancelled later by the customer's cancellation), pending before any. A requested
// cancellation that has not ended in order.cancelled leaves the order confirmed in the fold,
// but it is still moving, so it is told apart here.
const ORDER_STATES = `
  SELECT order_id,
    CASE (array_agg(type ORDER BY seq DESC)
            FILTER (WHERE type IN ('order.confirmed', 'order.cancelled', 'order.failed')))[1]
      WHEN 'order.confirmed' THEN
        CASE WHEN bool_or(type = 'order.cancellation-requested') THEN 'cancelling' ELSE 'confirmed' END
      WHEN 'order.cancelled' THEN 'cancelled'
      WHEN 'order.failed' THEN 'failed'
      ELSE 'pending'
    END AS state,
    extract(epoch FROM now() - min(at))::float8 AS age_s,
    (array_agg(data->>'amountCents' ORDER BY seq DESC) FILTER (WHERE type = 'stock-reserved'))[1]::bigint AS amount_cents,
    (array_agg(data->'items' ORDER BY seq) FILTER (WHERE type = 'order.placed'))[1] AS items
  FROM order_events`;

interface Row {
  order_id: string;
  state: OrderState;
  age_s: number;
  amount_cents: string | null;
  items: Array<{ sku: string; quantity: number }> | null;
}

/** Every order (`ids` absent) or those of `ids`; orders with no event are absent from the map. */
export async function readOrders(client: pg.Client, ids?: readonly string[]): Promise<Map<string, OrderRow>> {
  const { rows } = ids
    ? await client.query<Row>(`${ORDER_STATES} WHERE order_id = ANY($1) GROUP BY order_id`, [ids])
    : await client.query<Row>(`${ORDER_STATES} GROUP BY order_id`);
  return new Map(rows.map((row) => [row.order_id, toOrder(row)]));
}

function toOrder(row: Row): OrderRow {
  const quantities: Record<string, number> = {};
  for (const { sku, quantity } of row.items ?? []) quantities[sku] = (quantities[sku] ?? 0) + quantity;
  return {
    orderId: row.order_id,
    state: row.state,
    ageS: row.age_s,
    ...(row.amount_cents === null ? {} : { amountCents: Number(row.amount_cents) }),
    quantities,
  };
}

/** "ab12cd34" — enough of an order id to find it, short enough for a verdict table. */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** "45s", "2m10s", "1h03m". */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
