// orders' AMQP consumers: the place-order saga's replies (orders.replies) and the end of the
// choreographed cancellation (orders.events). Each message is processed once per message id
// (the package's IdempotentConsumer, in the same transaction as its writes); a reply that
// does not match where its saga stands is ignored by the saga itself.
import type { AmqpClient, Log } from '@hopscope/demo-shared';
import type { IdempotentConsumer } from '@hopscope/instrumentation/messaging';
import type { SagaTelemetry } from '@hopscope/instrumentation/saga';
import type pg from 'pg';
import type { OrderCancellation } from './order-cancellation.ts';
import type { PlaceOrderOrchestrator } from './place-order-orchestrator.ts';

export interface ConsumerParts {
  amqp: AmqpClient;
  pool: pg.Pool;
  replies: IdempotentConsumer;
  shipments: IdempotentConsumer;
  orchestrator: PlaceOrderOrchestrator;
  cancellation: OrderCancellation;
  sagas: SagaTelemetry;
  log: Log;
}

export function registerConsumers(parts: ConsumerParts): void {
  const { amqp, pool, replies, shipments, orchestrator, cancellation, sagas, log } = parts;

  amqp.consume('orders.replies', {
    'orders.saga-reply': async (reply, meta) => {
      const processed = await replies.process(pool, meta.messageId, (tx) => orchestrator.onReply(tx, reply));
      if (processed.duplicate) {
        log.info({ saga_id: reply.sagaId, message_id: meta.messageId }, 'duplicate saga reply ignored');
        return;
      }
      // Committed: now the saga's end is a fact worth counting.
      if (processed.result) sagas.end(processed.result.ref, processed.result.outcome);
    },
  });

  amqp.consume('orders.events', {
    'shipment.cancelled': async (shipment, meta) => {
      const processed = await shipments.process(pool, meta.messageId, (tx) => cancellation.complete(tx, shipment));
      if (processed.duplicate)
        log.info({ order_id: shipment.orderId, message_id: meta.messageId }, 'duplicate ignored');
    },
  });
}
