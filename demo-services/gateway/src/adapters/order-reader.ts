// Reads orders for the API and the BFFs: the composition's I/O half (domain/order-composition.ts
// is the other). One order: the read model, else the write model (the read model lags the
// 202 by an event hop), plus shipping's status when the order can have a shipment. A list:
// the read model only (its shipment copy), since a call per listed order would not scale.
import { HttpError, type Log } from '@hopscope/demo-shared';
import {
  type ComposedOrder,
  type OrderRecord,
  type ShipmentLookup,
  belongsTo,
  composeOrder,
  mayHaveShipment,
} from '../domain/order-composition.ts';
import type { ResilientUpstream } from './resilient-upstream.ts';
import { readOrder, readOrders, readShipment } from './upstream-replies.ts';

export interface OrderUpstreams {
  orders: ResilientUpstream;
  orderView: ResilientUpstream;
  shipping: ResilientUpstream;
}

export class OrderReader {
  private readonly upstreams: OrderUpstreams;
  private readonly log: Log;

  constructor(upstreams: OrderUpstreams, log: Log) {
    this.upstreams = upstreams;
    this.log = log;
  }

  /** The customer's order, composed; undefined when there is none (or it is another customer's). */
  async find(orderId: string, customer: string): Promise<ComposedOrder | undefined> {
    const order = await this.record(orderId, customer);
    if (!order || !belongsTo(order, customer)) return undefined;
    const shipment = mayHaveShipment(order) ? await this.shipment(orderId, customer) : null;
    return composeOrder(order, shipment);
  }

  /** The customer's orders, newest first. */
  async list(customer: string, limit: number): Promise<ComposedOrder[]> {
    const query = new URLSearchParams({ customer, limit: String(limit) });
    const reply = await this.upstreams.orderView.request(`/orders?${query.toString()}`, {
      headers: { 'x-customer': customer },
    });
    if (reply.status !== 200) throw new HttpError(502, 'upstream_failed', `order-view answered ${reply.status}`);
    return readOrders(reply.body, 'order-view GET /orders')
      .filter((order) => belongsTo(order, customer))
      .map((order) => composeOrder(order, order.shipment ?? null));
  }

  private async record(orderId: string, customer: string): Promise<OrderRecord | undefined> {
    const path = `/orders/${encodeURIComponent(orderId)}`;
    const headers = { 'x-customer': customer };
    const view = await this.upstreams.orderView.request(path, { headers });
    if (view.status === 200) return readOrder(view.body, 'order-view GET /orders/:id');
    if (view.status !== 404) throw new HttpError(502, 'upstream_failed', `order-view answered ${view.status}`);
    // Not in the read model yet: a client polling right after its 202 must not be told 404.
    const written = await this.upstreams.orders.request(path, { headers });
    if (written.status === 200) {
      this.log.info({ orderId }, 'order not in the read model yet: served from the write model');
      return readOrder(written.body, 'orders GET /orders/:id');
    }
    if (written.status !== 404) throw new HttpError(502, 'upstream_failed', `orders answered ${written.status}`);
    return undefined;
  }

  private async shipment(orderId: string, customer: string): Promise<ShipmentLookup> {
    try {
      const reply = await this.upstreams.shipping.request(`/shipments/${encodeURIComponent(orderId)}`, {
        headers: { 'x-customer': customer },
      });
      if (reply.status === 404) return null;
      if (reply.status !== 200) throw new Error(`shipping answered ${reply.status}`);
      return readShipment(reply.body, 'shipping GET /shipments/:orderId');
    } catch (error) {
      this.log.warn(
        { upstream: 'shipping', orderId, err: error },
        'upstream degraded: order served without its shipment',
      );
      return 'unavailable';
    }
  }
}
