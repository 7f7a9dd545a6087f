// order.status-changed → fetch the order from order-view → notify the customer once per status.
//
// The read model may lag behind the event (it consumes its own queue at its own pace), two ways:
// - it does not know the order yet (404): wait a moment and throw; the shared consumer
//   retries (3 attempts in all), then dead-letters the message with the reason;
// - it still shows a status already notified: the news may be on its way; look again a
//   couple of times. If it stays, there is nothing new to tell (a later event's status may
//   already have been notified: messages carry no order, the current state is what counts).
import type { ServiceContext } from '@hopscope/demo-shared';
import { IdempotentConsumer } from '@hopscope/instrumentation/messaging';
import { setTimeout as sleep } from 'node:timers/promises';
import { type OrderSnapshot, composeNotification } from '../domain/notification.ts';
import type { OrderViewClient } from './order-view-client.ts';
import type { SentNotificationsSql } from './sent-notifications-sql.ts';

/** Looks at an already-notified status this many more times before deciding nothing is new. */
const LAG_LOOKS = 2;

export interface StatusChangedParts {
  orderView: OrderViewClient;
  sent: SentNotificationsSql;
  /** How long to give order-view to catch up before looking again. */
  viewWaitMs: number;
}

export async function consumeStatusChanges(
  { pool, amqp, log }: ServiceContext,
  { orderView, sent, viewWaitMs }: StatusChangedParts,
): Promise<void> {
  const consumer = new IdempotentConsumer({ consumer: 'notifications.events' });
  await consumer.createTable(pool);

  const currentOrder = async (orderId: string): Promise<OrderSnapshot> => {
    let order = await orderView.fetchOrder(orderId);
    if (!order) {
      await sleep(viewWaitMs);
      throw new Error(`order ${orderId} is not in order-view (yet)`);
    }
    for (let look = 0; look < LAG_LOOKS && (await sent.wasSent(pool, orderId, order.status)); look++) {
      await sleep(viewWaitMs);
      order = (await orderView.fetchOrder(orderId)) ?? order;
    }
    return order;
  };

  amqp.consume('notifications.events', {
    'order.status-changed': async ({ orderId }, { messageId }) => {
      const order = await currentOrder(orderId);
      const notification = composeNotification(order);
      const outcome = await consumer.process(pool, messageId, async (tx) => {
        if (!(await sent.claim(tx, notification))) return false;
        // "Sending" is this log line; the claim commits with it (a failure before the commit resends).
        const { to, channel, status } = notification;
        log.info({ orderId, status, to, channel, text: notification.text }, 'notification sent');
        return true;
      });
      if (!outcome.duplicate && !outcome.result) {
        log.info({ orderId, status: order.status }, 'notification already sent for this status');
      }
    },
  });
}
