// The live side of the read model: every order and shipment event (queue `order-view.events`)
// goes through the projection into the order's row. Each message is applied once (the
// idempotent consumer), and in any order (the projection is a merge, see domain/).
import type { MessageMeta, ServiceContext } from '@hopscope/demo-shared';
import { IdempotentConsumer } from '@hopscope/instrumentation/messaging';
import { type OrderEvent, project, sameView } from '../domain/order-projection.ts';
import type { OrderViewSql } from './order-view-sql.ts';

export async function consumeOrderEvents({ pool, amqp, log }: ServiceContext, views: OrderViewSql): Promise<void> {
  const consumer = new IdempotentConsumer({ consumer: 'order-view.events' });
  await consumer.createTable(pool);

  const apply = async (event: OrderEvent, { messageId }: MessageMeta) => {
    const { orderId } = event.body;
    const outcome = await consumer.process(pool, messageId, async (tx) => {
      const before = await views.lockForUpdate(tx, orderId);
      const after = project(before, event);
      const changed = !sameView(before, after);
      if (changed) await views.save(tx, after);
      return { after, changed };
    });
    if (outcome.duplicate) return;
    const { after, changed } = outcome.result;
    log.info(
      { orderId, event: event.type, status: after.status },
      changed ? 'order view updated' : 'order view unchanged (stale or repeated event)',
    );
  };

  amqp.consume('order-view.events', {
    'order.placed': (body, meta) => apply({ type: 'order.placed', body }, meta),
    'order.confirmed': (body, meta) => apply({ type: 'order.confirmed', body }, meta),
    'order.cancelled': (body, meta) => apply({ type: 'order.cancelled', body }, meta),
    'order.failed': (body, meta) => apply({ type: 'order.failed', body }, meta),
    'order.cancellation-requested': (body, meta) => apply({ type: 'order.cancellation-requested', body }, meta),
    'shipment.scheduled': (body, meta) => apply({ type: 'shipment.scheduled', body }, meta),
    'shipment.cancelled': (body, meta) => apply({ type: 'shipment.cancelled', body }, meta),
  });
}
