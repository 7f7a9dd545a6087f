// notifications: tells customers about their orders. It subscribes to order.status-changed,
// a zero-payload event (the order id only), and fetches the order from order-view
// (ORDER_VIEW_URL) to write the message, so it never trusts the order events arrive in nor
// carries order data in messages. NOTIFICATIONS_VIEW_WAIT_MS (default 1000) is how long it
// gives a lagging order-view before looking again.
import { type ServiceDefinition, Upstream, readNumber, readUpstreamUrls } from '@hopscope/demo-shared';
import { OrderViewClient } from './adapters/order-view-client.ts';
import { notificationRoutes } from './adapters/routes.ts';
import { MIGRATIONS, SentNotificationsSql } from './adapters/sent-notifications-sql.ts';
import { consumeStatusChanges } from './adapters/status-changed-consumer.ts';

function readNotificationsConfig(env: Record<string, string | undefined>) {
  readUpstreamUrls('order-view', env);
  return { viewWaitMs: readNumber(env, 'NOTIFICATIONS_VIEW_WAIT_MS', 1000, 0, 60_000) };
}

export const notifications: ServiceDefinition = {
  name: 'notifications',
  migrations: MIGRATIONS,
  checkConfig: readNotificationsConfig,
  async build(context) {
    const { viewWaitMs } = readNotificationsConfig(context.env);
    const sent = new SentNotificationsSql();
    const orderView = new OrderViewClient(Upstream.fromEnv('order-view', context.env));
    await consumeStatusChanges(context, { orderView, sent, viewWaitMs });
    return { routes: notificationRoutes(sent, context.pool) };
  },
};
