// order-view: the CQRS read model. Order and shipment events flow into one denormalized row
// per order (domain/order-projection.ts), served to the gateway; POST /rebuild (or
// `npm run rebuild`) replays the orders event log through the same projection.
import { type ServiceDefinition, Upstream, readUpstreamUrls } from '@hopscope/demo-shared';
import { consumeOrderEvents } from './adapters/order-view-consumer.ts';
import { MIGRATIONS, OrderViewSql } from './adapters/order-view-sql.ts';
import { orderViewRoutes } from './adapters/routes.ts';

export const orderView: ServiceDefinition = {
  name: 'order-view',
  migrations: MIGRATIONS,
  checkConfig(env) {
    readUpstreamUrls('orders', env);
  },
  async build(context) {
    const views = new OrderViewSql();
    await consumeOrderEvents(context, views);
    return { routes: orderViewRoutes(views, context.pool, Upstream.fromEnv('orders', context.env), context.log) };
  },
};
