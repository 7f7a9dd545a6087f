// Payments' part in both sagas. Place-order (orchestrated): `payments.charge` charges the
// order at the bank and answers the orchestrator; `payments.refund` (the compensation) gives
// the money back. Cancel-order (choreographed): `stock.released` (inventory's event) refunds
// and announces `payment.refunded`, which shipping reacts to. A charge is made once per order
// twice over: per message id (the package's IdempotentConsumer counts a redelivery as a
// duplicate) and per order (the payments row's primary key, under a per-order lock).
import { type ServiceContext, runSagaStep, sagaOf } from '@hopscope/demo-shared';
import { IdempotentConsumer } from '@hopscope/instrumentation/messaging';
import { SagaTelemetry } from '@hopscope/instrumentation/saga';
import type { PaymentActions } from './payment-actions.ts';

export async function registerPaymentsConsumers(context: ServiceContext, payments: PaymentActions): Promise<void> {
  const { amqp, pool, publisher } = context;
  const sagas = new SagaTelemetry();
  const commands = new IdempotentConsumer({ consumer: 'payments.commands' });
  const events = new IdempotentConsumer({ consumer: 'payments.events' });
  await commands.createTable(pool);

  amqp.consume('payments.commands', {
    'payments.charge': async (body, meta) => {
      const { orderId, sagaId } = body;
      const saga = sagaOf(sagas, sagaId, 'place-order');
      await runSagaStep(sagas, saga, 'charge-payment', 'execute', async () => {
        const outcome = await commands.process(pool, meta.messageId, async (tx) => {
          const answer = await payments.charge(tx, orderId, body.customer, body.amountCents);
          await publisher.publish(tx, 'orders.saga-reply', {
            v: 1,
            sagaId,
            orderId,
            step: 'charge-payment',
            phase: 'execute',
            ...answer,
          });
          return answer;
        });
        return outcome.duplicate || outcome.result.ok ? {} : { refused: outcome.result.reason };
      });
    },
    'payments.refund': async (body, meta) => {
      const { orderId, sagaId } = body;
      const saga = sagaOf(sagas, sagaId, 'place-order');
      await runSagaStep(sagas, saga, 'charge-payment', 'compensate', async () => {
        await commands.process(pool, meta.messageId, async (tx) => {
          await payments.refund(tx, orderId);
          // ok even when the refund is pending: the money is recorded as owed and will be returned.
          await publisher.publish(tx, 'orders.saga-reply', {
            v: 1,
            sagaId,
            orderId,
            step: 'charge-payment',
            phase: 'compensate',
            ok: true,
          });
        });
        return {};
      });
    },
  });

  amqp.consume('payments.events', {
    'stock.released': async (body, meta) => {
      const { orderId, sagaId } = body;
      const saga = sagaOf(sagas, sagaId, 'cancel-order');
      await runSagaStep(sagas, saga, 'refund-payment', 'execute', async () => {
        await events.process(pool, meta.messageId, async (tx) => {
          const { amountCents } = await payments.refund(tx, orderId);
          await publisher.publish(tx, 'payment.refunded', { v: 1, orderId, sagaId, amountCents });
        });
        return {};
      });
    },
  });
}
