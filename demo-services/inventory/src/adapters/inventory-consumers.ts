// Inventory's part in both sagas. Place-order (orchestrated): `inventory.reserve` takes the
// order's stock or refuses it whole, `inventory.release` gives it back (the compensation);
// each answers the orchestrator with `orders.saga-reply`. Cancel-order (choreographed):
// `order.cancellation-requested` gives the stock back and announces `stock.released`, which
// payments reacts to. Every handler is idempotent twice over: per message id (the package's
// IdempotentConsumer) and per order (a second command for the same order finds its
// reservation), and writes its reply to the outbox in the same transaction as the stock.
import { type Message, type MessageMeta, type ServiceContext, runSagaStep, sagaOf } from '@hopscope/demo-shared';
import { IdempotentConsumer, type Queryable } from '@hopscope/instrumentation/messaging';
import { SagaTelemetry } from '@hopscope/instrumentation/saga';
import { mergeLines, planReservation } from '../domain/reservation.ts';
import type { StockSql } from './stock-sql.ts';

export async function registerInventoryConsumers(context: ServiceContext, stock: StockSql): Promise<void> {
  const { amqp, pool, publisher, log } = context;
  const sagas = new SagaTelemetry();
  const commands = new IdempotentConsumer({ consumer: 'inventory.commands' });
  const events = new IdempotentConsumer({ consumer: 'inventory.events' });
  await commands.createTable(pool);

  /** Gives an order's stock back; a second release (or one with nothing reserved) changes nothing. */
  async function release(tx: Queryable, orderId: string): Promise<void> {
    await stock.lockOrder(tx, orderId);
    const reservation = await stock.findReservation(tx, orderId);
    if (reservation?.status === 'released') return;
    if (!reservation) {
      await stock.markReleasedUnreserved(tx, orderId);
      log.info({ orderId }, 'stock release: nothing was reserved');
      return;
    }
    const lines = await stock.release(tx, orderId);
    log.info({ orderId, lines }, 'stock released');
  }

  async function reserve(tx: Queryable, body: Message<'inventory.reserve'>): Promise<string | undefined> {
    const { orderId, sagaId } = body;
    await stock.lockOrder(tx, orderId);
    const existing = await stock.findReservation(tx, orderId);
    let refused: string | undefined;
    let amountCents: number | undefined;
    if (existing?.status === 'reserved') {
      amountCents = existing.amountCents; // the same order asked again: the same answer
    } else if (existing?.status === 'released') {
      refused = `order ${orderId} was already released (its saga gave up on it)`;
    } else {
      const lines = mergeLines(body.items);
      const plan = planReservation(
        lines,
        await stock.lockStock(
          tx,
          lines.map((l) => l.sku),
        ),
      );
      if (plan.ok) {
        await stock.reserve(tx, orderId, plan.lines, plan.amountCents);
        amountCents = plan.amountCents;
        log.info({ orderId, lines: plan.lines, amountCents }, 'stock reserved');
      } else {
        refused = plan.reason;
        log.warn({ orderId, sku: plan.sku, reason: plan.reason }, 'out of stock');
      }
    }
    await publisher.publish(tx, 'orders.saga-reply', {
      v: 1,
      sagaId,
      orderId,
      step: 'reserve-stock',
      phase: 'execute',
      ...(refused === undefined ? { ok: true, amountCents } : { ok: false, reason: refused }),
    });
    return refused;
  }

  amqp.consume('inventory.commands', {
    'inventory.reserve': async (body, meta: MessageMeta) => {
      const saga = sagaOf(sagas, body.sagaId, 'place-order');
      await runSagaStep(sagas, saga, 'reserve-stock', 'execute', async () => {
        const outcome = await commands.process(pool, meta.messageId, (tx) => reserve(tx, body));
        return outcome.duplicate ? {} : { refused: outcome.result };
      });
    },
    'inventory.release': async (body, meta) => {
      const saga = sagaOf(sagas, body.sagaId, 'place-order');
      await runSagaStep(sagas, saga, 'reserve-stock', 'compensate', async () => {
        await commands.process(pool, meta.messageId, async (tx) => {
          await release(tx, body.orderId);
          await publisher.publish(tx, 'orders.saga-reply', {
            v: 1,
            sagaId: body.sagaId,
            orderId: body.orderId,
            step: 'reserve-stock',
            phase: 'compensate',
            ok: true,
          });
        });
        return {};
      });
    },
  });

  amqp.consume('inventory.events', {
    'order.cancellation-requested': async (body, meta) => {
      const saga = sagaOf(sagas, body.sagaId, 'cancel-order');
      await runSagaStep(sagas, saga, 'release-stock', 'execute', async () => {
        await events.process(pool, meta.messageId, async (tx) => {
          await release(tx, body.orderId);
          await publisher.publish(tx, 'stock.released', { v: 1, orderId: body.orderId, sagaId: body.sagaId });
        });
        return {};
      });
    },
  });
}
