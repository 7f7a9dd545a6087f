// Fetches an order's current state from order-view (the zero-payload pattern: the message
// said only "order X changed", the data comes from the service that owns the answer).
import type { Upstream } from '@hopscope/demo-shared';
import type { OrderSnapshot } from '../domain/notification.ts';

export class OrderViewClient {
  private readonly orderView: Upstream;

  constructor(orderView: Upstream) {
    this.orderView = orderView;
  }

  /** The order as order-view has it now; undefined while order-view does not know it (404). */
  async fetchOrder(orderId: string): Promise<OrderSnapshot | undefined> {
    const res = await this.orderView.fetch(`/orders/${encodeURIComponent(orderId)}`, {
      signal: AbortSignal.timeout(5000),
    });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`order-view GET /orders/${orderId}: HTTP ${res.status}`);
    const { customer, status, reason } = (await res.json()) as OrderSnapshot;
    return { orderId, customer, status, reason };
  }
}
