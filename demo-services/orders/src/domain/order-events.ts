// The order is event-sourced: its state is never stored, only the events that happened to it
// (an append-only log), folded in order. The events other services care about are integration
// events: their type is the message type and their data is exactly the contract body that was
// published, so the log can be replayed (GET /events) to rebuild a read model. The others
// (stock-reserved, payment-charged) are the saga's progress, kept for the order's own fold.
import type { Message, OrderLine, OrderStatus } from '@hopscope/demo-shared/contracts';
import { ORDER_STATUS_AFTER, type SagaDecision } from './place-order-saga.ts';

export const INTEGRATION_EVENT_TYPES = [
  'order.placed',
  'order.confirmed',
  'order.cancelled',
  'order.failed',
  'order.cancellation-requested',
] as const;
export type IntegrationEventType = (typeof INTEGRATION_EVENT_TYPES)[number];

export type IntegrationEvent = { [T in IntegrationEventType]: { type: T; data: Message<T> } }[IntegrationEventType];
export type ProgressEvent =
  { type: 'stock-reserved'; data: { amountCents: number } } | { type: 'payment-charged'; data: { paymentId: string } };
export type OrderEvent = IntegrationEvent | ProgressEvent;

export function isIntegrationEvent(event: OrderEvent): event is IntegrationEvent {
  return (INTEGRATION_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** The order as its events leave it (GET /orders/:id). */
export interface Order {
  orderId: string;
  customer: string;
  status: OrderStatus;
  items: OrderLine[];
  amountCents: number | null;
  paymentId: string | null;
  cancellation: 'requested' | null;
  reason: string | null;
}

/** Folds an order's events, oldest first; undefined when it has none (no such order). */
export function foldOrder(events: readonly OrderEvent[]): Order | undefined {
  let order: Order | undefined;
  for (const event of events) order = apply(order, event);
  return order;
}

function apply(order: Order | undefined, event: OrderEvent): Order | undefined {
  if (event.type === 'order.placed') {
    const { orderId, customer, items } = event.data;
    return {
      orderId,
      customer,
      items,
      status: 'pending',
      amountCents: null,
      paymentId: null,
      cancellation: null,
      reason: null,
    };
  }
  if (!order) return undefined; // every log starts with order.placed
  switch (event.type) {
    case 'stock-reserved':
      return { ...order, amountCents: event.data.amountCents };
    case 'payment-charged':
      return { ...order, paymentId: event.data.paymentId };
    case 'order.confirmed':
      return { ...order, status: 'confirmed', amountCents: event.data.amountCents, paymentId: event.data.paymentId };
    case 'order.cancelled':
      return { ...order, status: 'cancelled', reason: event.data.reason };
    case 'order.failed':
      return { ...order, status: 'failed', reason: event.data.reason };
    case 'order.cancellation-requested':
      return { ...order, cancellation: 'requested' };
  }
}

// ---- What happens to an order: each function answers with the events to append. ----

export function orderPlaced(orderId: string, customer: string, items: OrderLine[], at: Date): IntegrationEvent {
  return { type: 'order.placed', data: { v: 1, orderId, customer, items, placedAt: at.toISOString() } };
}

/** The events the place-order saga's progress adds: what a step yielded, and how the saga ended. */
export function sagaProgressEvents(order: Order, decision: SagaDecision): OrderEvent[] {
  if (decision.kind === 'ignore') return [];
  const events: OrderEvent[] = [];
  const done = decision.stepDone;
  if (done?.amountCents !== undefined) events.push({ type: 'stock-reserved', data: { amountCents: done.amountCents } });
  if (done?.paymentId !== undefined) events.push({ type: 'payment-charged', data: { paymentId: done.paymentId } });
  if (decision.kind !== 'finish') return events;
  const { orderId, customer } = order;
  const reason = bounded(decision.reason ?? decision.outcome);
  switch (ORDER_STATUS_AFTER[decision.outcome]) {
    case 'confirmed': {
      const { amountCents, paymentId } = decision.state.data;
      if (amountCents === undefined || paymentId === undefined) {
        throw new Error(`order ${orderId}: saga completed without amountCents or paymentId`);
      }
      events.push({ type: 'order.confirmed', data: { v: 1, orderId, customer, amountCents, paymentId } });
      break;
    }
    case 'cancelled':
      events.push({ type: 'order.cancelled', data: { v: 1, orderId, reason } });
      break;
    case 'failed':
      events.push({ type: 'order.failed', data: { v: 1, orderId, reason } });
      break;
  }
  return events;
}

/**
 * Why an order cannot be cancelled now; undefined when it can. A cancellation already under way
 * is no refusal: asking again (a double click, a gateway retry after a timeout) gets the same
 * answer and starts nothing new.
 */
export function cancellationRefusal(order: Order): string | undefined {
  if (order.status !== 'confirmed')
    return `order ${order.orderId} is ${order.status}: only a confirmed order can be cancelled`;
  return undefined;
}

export function cancellationRequested(order: Order, sagaId: string): IntegrationEvent {
  return { type: 'order.cancellation-requested', data: { v: 1, orderId: order.orderId, sagaId } };
}

/** The end of the choreographed cancellation; nothing when it is not expected (or already done). */
export function cancellationCompleted(order: Order): IntegrationEvent | undefined {
  if (order.cancellation !== 'requested' || order.status === 'cancelled') return undefined;
  return {
    type: 'order.cancelled',
    data: { v: 1, orderId: order.orderId, reason: 'cancelled at the customer’s request' },
  };
}

/** The contracts bound reasons to 500 characters. */
function bounded(reason: string): string {
  return reason.length > 500 ? `${reason.slice(0, 499)}…` : reason;
}
