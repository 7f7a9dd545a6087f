// What a customer is told when their order changes. The event that triggers it carries only
// the order's id (zero-payload): the text is written from the order as order-view shows it
// now, so a late or reordered event never announces a stale status. A customer hears about
// each status once.
import type { OrderStatus } from '@hopscope/demo-shared/contracts';

/** What notifications needs of an order (from order-view's GET /orders/:id). */
export interface OrderSnapshot {
  orderId: string;
  customer: string;
  status: OrderStatus;
  reason: string | null;
}

export interface Notification {
  orderId: string;
  status: OrderStatus;
  /** The customer (the demo's "address book" is the customer id). */
  to: string;
  channel: 'email';
  text: string;
}

const TEXT: Record<OrderStatus, (order: OrderSnapshot) => string> = {
  pending: (o) => `We received your order ${o.orderId}.`,
  confirmed: (o) => `Your order ${o.orderId} is confirmed and will ship soon.`,
  cancelled: (o) => `Your order ${o.orderId} was cancelled${o.reason ? `: ${o.reason}` : ''}. Any payment is refunded.`,
  failed: (o) =>
    `We could not complete your order ${o.orderId}${o.reason ? `: ${o.reason}` : ''}. Anything charged is refunded.`,
};

export function composeNotification(order: OrderSnapshot): Notification {
  return {
    orderId: order.orderId,
    status: order.status,
    to: order.customer,
    channel: 'email',
    text: TEXT[order.status](order),
  };
}
