// orders: the place-order saga's orchestrator and the owner of the event-sourced order.
// domain/place-order-saga.ts is the saga as a table (what happens when payment fails);
// domain/order-events.ts is the order as events and their fold. The adapters write every
// state change with its messages in one transaction (order_events + sagas + outbox).
// Configured by ORDERS_STEP_TIMEOUT_MS (how long a step waits for its reply, default 10 s)
// and ORDERS_SWEEP_INTERVAL_MS (how often timeouts are looked for, default 1 s).
import { type ServiceDefinition, readNumber } from '@hopscope/demo-shared';
import { IdempotentConsumer } from '@hopscope/instrumentation/messaging';
import { SagaTelemetry } from '@hopscope/instrumentation/saga';
import { registerConsumers } from './adapters/consumers.ts';
import { IdempotencyKeys } from './adapters/idempotency-keys.ts';
import { MIGRATIONS } from './adapters/migrations.ts';
import { CANCEL_ORDER, OrderCancellation } from './adapters/order-cancellation.ts';
import { OrderEventStore } from './adapters/order-event-store.ts';
import { PlaceOrderOrchestrator } from './adapters/place-order-orchestrator.ts';
import { orderRoutes } from './adapters/routes.ts';
import { SagaStore } from './adapters/saga-store.ts';
import { TimeoutSweeper } from './adapters/timeout-sweeper.ts';
import { DEFAULT_STEP_TIMEOUT_MS, PLACE_ORDER, placeOrderSaga } from './domain/place-order-saga.ts';

function readOrdersConfig(env: Record<string, string | undefined>) {
  return {
    stepTimeoutMs: readNumber(env, 'ORDERS_STEP_TIMEOUT_MS', DEFAULT_STEP_TIMEOUT_MS, 100, 3_600_000),
    sweepIntervalMs: readNumber(env, 'ORDERS_SWEEP_INTERVAL_MS', 1000, 50, 60_000),
  };
}

export const orders: ServiceDefinition = {
  name: 'orders',
  migrations: MIGRATIONS,
  checkConfig: readOrdersConfig,
  async build({ pool, publisher, amqp, log, env }) {
    const config = readOrdersConfig(env);
    const sagas = new SagaTelemetry();
    const events = new OrderEventStore();
    const sagaStore = new SagaStore();
    const replies = new IdempotentConsumer({ consumer: 'orders.replies' });
    const shipments = new IdempotentConsumer({ consumer: 'orders.events' });
    await replies.createTable(pool);
    await shipments.createTable(pool);
    // In flight and oldest age, from the saga table: true across instances and restarts.
    for (const name of [PLACE_ORDER, CANCEL_ORDER]) sagas.readInFlightFrom(name, () => sagaStore.inFlight(pool, name));

    const orchestrator = new PlaceOrderOrchestrator({
      saga: placeOrderSaga(config.stepTimeoutMs),
      events,
      sagaStore,
      publisher,
      sagas,
      log,
    });
    const cancellation = new OrderCancellation({ events, sagaStore, publisher, sagas, log });
    registerConsumers({ amqp, pool, replies, shipments, orchestrator, cancellation, sagas, log });
    const sweeper = new TimeoutSweeper({
      pool,
      sagaStore,
      orchestrator,
      sagas,
      log,
      intervalMs: config.sweepIntervalMs,
    });
    return {
      routes: orderRoutes({ pool, keys: new IdempotencyKeys(), events, orchestrator, cancellation, log }),
      start: () => sweeper.start(),
      stop: () => sweeper.stop(),
    };
  },
};
