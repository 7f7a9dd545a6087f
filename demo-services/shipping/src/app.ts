// shipping: schedules a shipment for each confirmed order (reacting to order.confirmed, nobody
// asks it) and, as the last participant of the choreographed cancel-order saga, cancels the
// shipment once the payment is refunded and ends the saga.
import type { ServiceDefinition } from '@hopscope/demo-shared';
import { SagaTelemetry } from '@hopscope/instrumentation/saga';
import { shippingRoutes } from './adapters/routes.ts';
import { consumeShippingEvents } from './adapters/shipping-consumer.ts';
import { MIGRATIONS, ShipmentsSql } from './adapters/shipments-sql.ts';

export const shipping: ServiceDefinition = {
  name: 'shipping',
  migrations: MIGRATIONS,
  async build(context) {
    const shipments = new ShipmentsSql();
    await consumeShippingEvents(context, shipments, new SagaTelemetry());
    return { routes: shippingRoutes(shipments, context.pool) };
  },
};
