// The order's side of the choreographed cancel-order saga: orders starts it (POST cancel →
// order.cancellation-requested) and learns of its end (shipment.cancelled, from shipping, the
// participant that ends the saga). In between, inventory, payments and shipping react to each
// other's events; nobody orchestrates. The saga row (no deadline: nothing here can time a
// choreography out) lets the in-flight gauge count cancellations under way.
import type { Log, Message, Publisher } from '@hopscope/demo-shared';
import type { Queryable } from '@hopscope/instrumentation/messaging';
import type { SagaTelemetry } from '@hopscope/instrumentation/saga';
import { randomUUID } from 'node:crypto';
import {
  type Order,
  cancellationCompleted,
  cancellationRefusal,
  cancellationRequested,
  foldOrder,
} from '../domain/order-events.ts';
import type { OrderEventStore } from './order-event-store.ts';
import { publishEvent } from './place-order-orchestrator.ts';
import type { SagaStore } from './saga-store.ts';
import { traceHeaders } from '@hopscope/instrumentation';

export const CANCEL_ORDER = 'cancel-order';

export type CancellationRequest =
  { kind: 'not-found' } | { kind: 'refused'; why: string } | { kind: 'requested'; order: Order };

export interface CancellationParts {
  events: OrderEventStore;
  sagaStore: SagaStore;
  publisher: Publisher;
  sagas: SagaTelemetry;
  log: Log;
}

export class OrderCancellation {
  private readonly parts: CancellationParts;

  constructor(parts: CancellationParts) {
    this.parts = parts;
  }

  /** POST /orders/:id/cancel, in the request's transaction. Another customer's order is "not found". */
  async request(tx: Queryable, orderId: string, customer: string): Promise<CancellationRequest> {
    const { events, sagaStore, publisher, sagas, log } = this.parts;
    await events.lock(tx, orderId);
    const history = await events.load(tx, orderId);
    const order = foldOrder(history);
    if (!order || order.customer !== customer) return { kind: 'not-found' };
    const why = cancellationRefusal(order);
    if (why) return { kind: 'refused', why };
    if (order.cancellation === 'requested') return { kind: 'requested', order };

    const ref = sagas.start(CANCEL_ORDER, randomUUID());
    // In baggage from here on: each participant reads the saga from the message it receives.
    return sagas.run(ref, async () => {
      const event = cancellationRequested(order, ref.id);
      await events.append(tx, orderId, [event]);
      await sagaStore.insert(
        tx,
        {
          id: ref.id,
          orderId,
          name: CANCEL_ORDER,
          state: { stepIndex: 0, phase: 'execute', data: { orderId, customer, items: order.items } },
          startedAt: new Date(ref.startedAt),
          traceHeaders: traceHeaders(),
        },
        null,
      );
      await publishEvent(publisher, tx, event);
      log.info({ order_id: orderId, saga_id: ref.id, customer }, 'cancellation requested');
      return { kind: 'requested', order: foldOrder([...history, event]) ?? order } as const;
    });
  }

  /** shipment.cancelled: the last participant is done, the order is cancelled. */
  async complete(tx: Queryable, shipment: Message<'shipment.cancelled'>): Promise<void> {
    const { events, sagaStore, publisher, log } = this.parts;
    const fields = { order_id: shipment.orderId, saga_id: shipment.sagaId };
    await events.lock(tx, shipment.orderId);
    const order = foldOrder(await events.load(tx, shipment.orderId));
    const event = order && cancellationCompleted(order);
    if (!event) {
      log.warn({ ...fields, status: order?.status }, 'shipment.cancelled ignored: no cancellation under way');
      return;
    }
    await events.append(tx, shipment.orderId, [event]);
    await publishEvent(publisher, tx, event);
    await publisher.publish(tx, 'order.status-changed', { v: 1, orderId: shipment.orderId });
    // Shipping ended the saga's telemetry; the row only stops counting as in flight.
    await sagaStore.end(tx, shipment.sagaId, 'completed');
    log.info(fields, 'order cancelled');
  }
}
