// The read model's one rule: what each event does to an order's row. The live consumer and the
// rebuild from the orders event log both use it, so a rebuilt view equals the live one.
//
// Messages can arrive in any order (order.confirmed before order.placed, shipment.scheduled
// before order.confirmed), so a row is a merge of facts rather than a replay that needs them
// in sequence: each event fills in the fields it knows, and the status only moves forward:
//
//   pending ──> confirmed ──> cancelled
//      └──────> cancelled | failed
//
// Applying an event twice, or a late one after a newer one, leaves the row as it was; every
// order of the same events ends at the same row.
import type { Message, OrderLine, OrderStatus } from '@hopscope/demo-shared/contracts';
import { isDeepStrictEqual } from 'node:util';

export const PROJECTED_EVENTS = [
  'order.placed',
  'order.confirmed',
  'order.cancelled',
  'order.failed',
  'order.cancellation-requested',
  'shipment.scheduled',
  'shipment.cancelled',
] as const;
export type ProjectedType = (typeof PROJECTED_EVENTS)[number];
export type OrderEvent = { [T in ProjectedType]: { type: T; body: Message<T> } }[ProjectedType];

export type ShipmentStatus = 'scheduled' | 'cancelled';

export interface OrderView {
  orderId: string;
  customer: string | null;
  status: OrderStatus;
  items: OrderLine[] | null;
  amountCents: number | null;
  paymentId: string | null;
  cancellation: 'requested' | null;
  reason: string | null;
  /** From order.placed: a row without it is only a placeholder for events that came early. */
  placedAt: string | null;
  /** The shipment's id is unknown while only its cancellation has arrived. */
  shipment: { shipmentId: string | null; status: ShipmentStatus } | null;
}

const NEXT_STATUSES: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['confirmed', 'cancelled', 'failed'],
  confirmed: ['cancelled'],
  cancelled: [],
  failed: [],
};

/** The status after `to` was reported: `to` when it is a step forward, else unchanged. */
export function advance(from: OrderStatus, to: OrderStatus): OrderStatus {
  return NEXT_STATUSES[from].includes(to) ? to : from;
}

export function emptyView(orderId: string): OrderView {
  return {
    orderId,
    customer: null,
    status: 'pending',
    items: null,
    amountCents: null,
    paymentId: null,
    cancellation: null,
    reason: null,
    placedAt: null,
    shipment: null,
  };
}

/** Whether the order's own placement has been seen (before it, the row is not served). */
export function isPlaced(view: OrderView): boolean {
  return view.placedAt !== null;
}

export function project(view: OrderView, event: OrderEvent): OrderView {
  switch (event.type) {
    case 'order.placed': {
      const { customer, items, placedAt } = event.body;
      return { ...view, customer, items, placedAt: new Date(placedAt).toISOString() };
    }
    case 'order.confirmed': {
      const { customer, amountCents, paymentId } = event.body;
      return { ...view, customer, amountCents, paymentId, status: advance(view.status, 'confirmed') };
    }
    case 'order.cancelled':
    case 'order.failed': {
      const reported = event.type === 'order.cancelled' ? 'cancelled' : 'failed';
      const status = advance(view.status, reported);
      // The reason belongs to the status it explains: a stale event does not overwrite it.
      return status === reported && status !== view.status ? { ...view, status, reason: event.body.reason } : view;
    }
    case 'order.cancellation-requested':
      return { ...view, cancellation: 'requested' };
    case 'shipment.scheduled': {
      // A cancellation that came first wins: a shipment is scheduled before it is cancelled.
      const status = view.shipment?.status === 'cancelled' ? 'cancelled' : 'scheduled';
      return { ...view, shipment: { shipmentId: event.body.shipmentId, status } };
    }
    case 'shipment.cancelled':
      return { ...view, shipment: { shipmentId: view.shipment?.shipmentId ?? null, status: 'cancelled' } };
  }
}

/** Folds a stream of events (the orders event log, for a rebuild) into one row per order. */
export function foldEvents(events: Iterable<OrderEvent>): Map<string, OrderView> {
  const views = new Map<string, OrderView>();
  for (const event of events) {
    const { orderId } = event.body;
    views.set(orderId, project(views.get(orderId) ?? emptyView(orderId), event));
  }
  return views;
}

export function isProjected(type: string): type is ProjectedType {
  return (PROJECTED_EVENTS as readonly string[]).includes(type);
}

/** Whether two rows hold the same facts (an event that changes nothing is not written). */
export function sameView(a: OrderView, b: OrderView): boolean {
  return isDeepStrictEqual(a, b);
}
