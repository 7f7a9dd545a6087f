// What the gateway reads from the services' answers, checked at the edge: a service that
// answers something else is a 502 naming it, not a TypeError deep in the composition.
import { HttpError, ORDER_STATUSES, orderLine } from '@hopscope/demo-shared';
import { z } from 'zod';
import type { OrderRecord, ShipmentView } from '../domain/order-composition.ts';
import type { Product } from '../domain/order-request.ts';

const shipment = z.object({ shipmentId: z.string(), status: z.string() });

// Loose objects: a service adding a field must not break the gateway.
const orderRecord = z.object({
  orderId: z.string(),
  customer: z.string(),
  status: z.enum(ORDER_STATUSES),
  items: z.array(orderLine),
  amountCents: z.number().nullish(),
  paymentId: z.string().nullish(),
  cancellation: z.string().nullish(),
  reason: z.string().nullish(),
  shipment: shipment.nullish(),
  updatedAt: z.string().nullish(),
});

const product = z.object({ sku: z.string(), name: z.string(), priceCents: z.number(), stock: z.number() });
export const productsReply = z.object({ products: z.array(product) });
const ordersReply = z.object({ orders: z.array(orderRecord) });

function parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success)
    throw new HttpError(502, 'upstream_bad_reply', `${what}: unexpected answer (${result.error.issues[0].message})`);
  return result.data;
}

function toRecord(order: z.infer<typeof orderRecord>): OrderRecord {
  return {
    orderId: order.orderId,
    customer: order.customer,
    status: order.status,
    items: order.items,
    amountCents: order.amountCents ?? null,
    paymentId: order.paymentId ?? null,
    cancellation: order.cancellation ?? null,
    reason: order.reason ?? null,
    shipment: order.shipment ?? null,
    updatedAt: order.updatedAt ?? null,
  };
}

export function readOrder(body: unknown, what: string): OrderRecord {
  return toRecord(parse(orderRecord, body, what));
}

export function readOrders(body: unknown, what: string): OrderRecord[] {
  return parse(ordersReply, body, what).orders.map(toRecord);
}

export function readShipment(body: unknown, what: string): ShipmentView {
  const { shipmentId, status } = parse(shipment, body, what);
  return { shipmentId, status };
}

export function readProducts(body: unknown, what: string): Product[] {
  return parse(productsReply, body, what).products;
}
