// Backends for frontends: the same composed order, shaped for two clients. The web page shows
// every line with its product name and unit price; the mobile list shows one compact row.
// Neither fetches anything of its own: composition happens once (order-composition.ts).
import type { Catalog } from './order-request.ts';
import type { ComposedOrder, DegradedPart } from './order-composition.ts';

export interface WebOrderLine {
  sku: string;
  quantity: number;
  /** null when the catalog did not answer (then `degraded` lists `inventory`). */
  name: string | null;
  unitPriceCents: number | null;
}

export type WebOrder = Omit<ComposedOrder, 'items'> & { items: WebOrderLine[] };

export interface MobileOrder {
  id: string;
  status: string;
  /** In cents; null until the saga has priced the order. */
  total: number | null;
  itemCount: number;
  shipmentStatus: string | null;
}

/** The full shape; `catalog` is undefined when inventory did not answer. */
export function webOrder(order: ComposedOrder, catalog: Catalog | undefined): WebOrder {
  const items = order.items.map((line) => {
    const product = catalog?.get(line.sku);
    return {
      sku: line.sku,
      quantity: line.quantity,
      name: product?.name ?? null,
      unitPriceCents: product?.priceCents ?? null,
    };
  });
  const degraded: DegradedPart[] = [...(order.degraded ?? []), ...(catalog ? [] : ['inventory' as const])];
  const shaped: WebOrder = { ...order, items };
  if (degraded.length > 0) shaped.degraded = degraded;
  else delete shaped.degraded;
  return shaped;
}

export function mobileOrder(order: ComposedOrder): MobileOrder {
  return {
    id: order.orderId,
    status: order.status,
    total: order.amountCents,
    itemCount: order.items.reduce((count, line) => count + line.quantity, 0),
    shipmentStatus: order.shipment?.status ?? null,
  };
}
