// API composition: the order a client sees is put together from the read model (order-view,
// or the write model in orders while the read model has not caught up) and shipping's own
// status. Shipping is optional: when it does not answer, the order is still served, with
// `shipment: null` and `degraded: ["shipping"]`, rather than failing the whole read.
import type { OrderLine, OrderStatus } from '@hopscope/demo-shared';

export interface ShipmentView {
  shipmentId: string;
  status: string;
}

/** An order as order-view (read model) or orders (write model, fewer fields) reports it. */
export interface OrderRecord {
  orderId: string;
  customer: string;
  status: OrderStatus;
  items: OrderLine[];
  amountCents: number | null;
  paymentId: string | null;
  cancellation: string | null;
  reason?: string | null;
  /** The read model's copy of the shipment (the write model has none). */
  shipment?: ShipmentView | null;
  updatedAt?: string | null;
}

/** What shipping said about an order's shipment: one, none yet, or no answer. */
export type ShipmentLookup = ShipmentView | null | 'unavailable';

/** A part of the composed answer that is missing because its source did not answer. */
export type DegradedPart = 'shipping' | 'inventory';

export interface ComposedOrder {
  orderId: string;
  status: OrderStatus;
  items: OrderLine[];
  amountCents: number | null;
  payment: { paymentId: string; amountCents: number | null } | null;
  shipment: ShipmentView | null;
  cancellation: string | null;
  reason: string | null;
  updatedAt: string | null;
  /** Present only when a part is missing. */
  degraded?: DegradedPart[];
}

/** Another customer's order is answered like a missing one: its existence is not the caller's business. */
export function belongsTo(order: OrderRecord, customer: string): boolean {
  return order.customer === customer;
}

/**
 * Whether shipping can know the order: it schedules a shipment when the order is confirmed, so
 * a pending or failed order has none (saves a call per poll while the saga runs).
 */
export function mayHaveShipment(order: OrderRecord): boolean {
  return order.status === 'confirmed' || order.status === 'cancelled';
}

export function composeOrder(order: OrderRecord, shipment: ShipmentLookup): ComposedOrder {
  const composed: ComposedOrder = {
    orderId: order.orderId,
    status: order.status,
    items: order.items,
    amountCents: order.amountCents,
    payment: order.paymentId ? { paymentId: order.paymentId, amountCents: order.amountCents } : null,
    shipment: shipment === 'unavailable' ? null : shipment,
    cancellation: order.cancellation,
    reason: order.reason ?? null,
    updatedAt: order.updatedAt ?? null,
  };
  if (shipment === 'unavailable') composed.degraded = ['shipping'];
  return composed;
}
