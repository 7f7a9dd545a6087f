// Shipping's reactions to the events it subscribes to (queue `shipping.events`). Each message
// is processed once (the idempotent consumer claims its id in the same transaction as the
// shipment's change and the outgoing event), so a redelivery schedules nothing twice and
// never ends the cancel-order saga a second time.
import type { Message, ServiceContext } from '@hopscope/demo-shared';
import { IdempotentConsumer } from '@hopscope/instrumentation/messaging';
import type { SagaRef, SagaTelemetry } from '@hopscope/instrumentation/saga';
import { randomUUID } from 'node:crypto';
import { cancelShipment, scheduleShipment } from '../domain/shipment.ts';
import type { ShipmentsSql } from './shipments-sql.ts';

export const CANCEL_ORDER_SAGA = 'cancel-order';

export async function consumeShippingEvents(
  { pool, amqp, publisher, log }: ServiceContext,
  shipments: ShipmentsSql,
  sagas: SagaTelemetry,
): Promise<void> {
  const consumer = new IdempotentConsumer({ consumer: 'shipping.events' });
  await consumer.createTable(pool);

  amqp.consume('shipping.events', {
    'order.confirmed': async ({ orderId }, { messageId }) => {
      const outcome = await consumer.process(pool, messageId, async (tx) => {
        const change = scheduleShipment(await shipments.lockAndFind(tx, orderId), orderId, randomUUID());
        if (!change.changed) return change;
        await shipments.save(tx, change.shipment);
        await publisher.publish(tx, 'shipment.scheduled', { v: 1, orderId, shipmentId: change.shipment.shipmentId });
        return change;
      });
      if (outcome.duplicate) return;
      const { shipment, changed } = outcome.result;
      log.info(
        { orderId, shipmentId: shipment.shipmentId, status: shipment.status },
        changed ? 'shipment scheduled' : 'shipment already exists',
      );
    },

    // The last step of the choreographed cancel-order saga: whoever completes it ends it.
    'payment.refunded': async (body, { messageId }) => {
      const { orderId, sagaId } = body;
      const saga = cancelOrderSaga(sagas, body);
      const outcome = await sagas.step(saga, 'cancel-shipment', () =>
        consumer.process(pool, messageId, async (tx) => {
          const change = cancelShipment(await shipments.lockAndFind(tx, orderId), orderId, randomUUID());
          if (!change.changed) return change;
          await shipments.save(tx, change.shipment, sagaId);
          await publisher.publish(tx, 'shipment.cancelled', { v: 1, orderId, sagaId });
          return change;
        }),
      );
      if (outcome.duplicate) return;
      const { shipment, changed } = outcome.result;
      if (!changed) {
        log.info({ orderId, sagaId, shipmentId: shipment.shipmentId }, 'shipment already cancelled');
        return;
      }
      log.info({ orderId, sagaId, shipmentId: shipment.shipmentId }, 'shipment cancelled');
      // After the commit: had the transaction failed, the retried message would end the saga again.
      sagas.end(saga, 'completed');
    },
  });
}

/** The saga from the message's baggage when it is this one, else rebuilt from the saga id the event carries. */
function cancelOrderSaga(sagas: SagaTelemetry, body: Message<'payment.refunded'>): SagaRef {
  const fromBaggage = sagas.current();
  if (fromBaggage?.id === body.sagaId) return fromBaggage;
  return { id: body.sagaId, name: CANCEL_ORDER_SAGA, startedAt: Date.now() };
}
