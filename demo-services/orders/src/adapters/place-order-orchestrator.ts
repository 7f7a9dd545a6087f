// Runs the place-order saga: asks the domain (domain/place-order-saga.ts) what to do next and
// writes the answer in the caller's transaction — the order's new events, the saga row, and
// the outgoing commands and events in the outbox — so that a state change and the messages
// announcing it commit together or not at all. The callers (HTTP route, reply consumer,
// timeout sweeper) own the transaction and end the saga's telemetry once it committed.
import type { Log, Message, OrderLine, Publisher } from '@hopscope/demo-shared';
import type { Queryable } from '@hopscope/instrumentation/messaging';
import type { SagaOutcome, SagaRef, SagaTelemetry } from '@hopscope/instrumentation/saga';
import { randomUUID } from 'node:crypto';
import {
  type IntegrationEvent,
  type OrderEvent,
  foldOrder,
  isIntegrationEvent,
  orderPlaced,
  sagaProgressEvents,
} from '../domain/order-events.ts';
import {
  PLACE_ORDER,
  type SagaCommand,
  type SagaData,
  type SagaDecision,
  type SagaInput,
  type SagaStepDefinition,
  beginSaga,
  transition,
} from '../domain/place-order-saga.ts';
import type { OrderEventStore } from './order-event-store.ts';
import type { SagaRow, SagaStore } from './saga-store.ts';
import { traceHeaders } from '@hopscope/instrumentation';

/** A saga that ended in a committed transaction: the caller then calls `sagas.end()`. */
export interface SagaEnded {
  ref: SagaRef;
  outcome: SagaOutcome;
}

export interface OrchestratorParts {
  saga: readonly SagaStepDefinition[];
  events: OrderEventStore;
  sagaStore: SagaStore;
  publisher: Publisher;
  sagas: SagaTelemetry;
  log: Log;
}

export class PlaceOrderOrchestrator {
  private readonly parts: OrchestratorParts;

  constructor(parts: OrchestratorParts) {
    this.parts = parts;
  }

  /** In the request's transaction: the order is placed and its saga sends the first command. */
  async placeOrder(tx: Queryable, orderId: string, customer: string, items: OrderLine[]): Promise<void> {
    const { saga, events, sagaStore, publisher, sagas, log } = this.parts;
    const ref = sagas.start(PLACE_ORDER, randomUUID());
    // Inside run(): the outbox rows (and the stored trace headers) carry the saga in baggage.
    await sagas.run(ref, async () => {
      const placed = orderPlaced(orderId, customer, items, new Date());
      await events.append(tx, orderId, [placed]);
      await publishEvent(publisher, tx, placed);
      const first = beginSaga(saga, { orderId, customer, items });
      await sagaStore.insert(
        tx,
        {
          id: ref.id,
          orderId,
          name: PLACE_ORDER,
          state: first.state,
          startedAt: new Date(ref.startedAt),
          traceHeaders: traceHeaders(),
        },
        first.timeoutMs,
      );
      await this.send(tx, ref.id, first.send, first.state.data);
      log.info({ order_id: orderId, saga_id: ref.id, customer, lines: items.length }, 'order placed');
      log.info(
        { order_id: orderId, saga_id: ref.id, command: first.send.type, step: first.send.step, phase: 'execute' },
        'saga step sent',
      );
    });
  }

  /** A participant's reply; the saga row stays locked until the caller's transaction ends. */
  async onReply(tx: Queryable, reply: Message<'orders.saga-reply'>): Promise<SagaEnded | undefined> {
    const row = await this.parts.sagaStore.lock(tx, reply.sagaId);
    const fields = { saga_id: reply.sagaId, order_id: reply.orderId, step: reply.step, phase: reply.phase };
    if (!row || row.name !== PLACE_ORDER) {
      this.parts.log.warn(fields, 'saga reply ignored: no such place-order saga');
      return undefined;
    }
    if (row.status !== 'running') {
      this.parts.log.info({ ...fields, status: row.status }, 'saga reply ignored: saga already ended');
      return undefined;
    }
    const { step, phase, ok, reason, amountCents, paymentId } = reply;
    return this.decide(tx, row, { kind: 'reply', step, phase, ok, reason, amountCents, paymentId });
  }

  /** The sweeper found the saga past its deadline (row locked by the caller). */
  onTimeout(tx: Queryable, row: SagaRow): Promise<SagaEnded | undefined> {
    return this.decide(tx, row, { kind: 'timeout' });
  }

  private async decide(tx: Queryable, row: SagaRow, input: SagaInput): Promise<SagaEnded | undefined> {
    const decision = transition(this.parts.saga, row.state, input);
    const fields = { saga_id: row.id, order_id: row.orderId };
    if (decision.kind === 'ignore') {
      // Late (after a timeout), duplicated under another message id, or out of order.
      this.parts.log.warn({ ...fields, why: decision.why }, 'saga reply ignored');
      return undefined;
    }
    if (input.kind === 'timeout') {
      const step = this.parts.saga[row.state.stepIndex]?.step;
      this.parts.log.warn({ ...fields, step, phase: row.state.phase }, 'saga step timed out');
    }
    const ref: SagaRef = { id: row.id, name: row.name, startedAt: row.startedAt.getTime() };
    return this.parts.sagas.run(ref, () => this.apply(tx, row, decision, ref));
  }

  private async apply(
    tx: Queryable,
    row: SagaRow,
    decision: Exclude<SagaDecision, { kind: 'ignore' }>,
    ref: SagaRef,
  ): Promise<SagaEnded | undefined> {
    const { events, sagaStore, publisher, log } = this.parts;
    await events.lock(tx, row.orderId);
    const order = foldOrder(await events.load(tx, row.orderId));
    if (!order) throw new Error(`saga ${row.id}: order ${row.orderId} has no events`);
    const added: OrderEvent[] = sagaProgressEvents(order, decision);
    await events.append(tx, row.orderId, added);
    for (const event of added) if (isIntegrationEvent(event)) await publishEvent(publisher, tx, event);

    const fields = { saga_id: row.id, order_id: row.orderId };
    const sends = decision.kind === 'await' ? [decision.send] : decision.send;
    for (const command of sends) {
      await this.send(tx, row.id, command, decision.state.data);
      log.info({ ...fields, command: command.type, step: command.step, phase: command.phase }, 'saga step sent');
    }
    if (decision.kind === 'await') {
      await sagaStore.advance(tx, row.id, decision.state, decision.timeoutMs);
      return undefined;
    }
    await sagaStore.end(tx, row.id, decision.outcome, decision.state);
    // Zero-payload: subscribers fetch the order's current state.
    await publisher.publish(tx, 'order.status-changed', { v: 1, orderId: row.orderId });
    const message = `saga ${decision.outcome.replace('_', ' ')}`; // saga completed|compensated|timed out|failed
    if (decision.outcome === 'completed') log.info(fields, message);
    else log.warn({ ...fields, reason: decision.reason }, message);
    return { ref, outcome: decision.outcome };
  }

  /** A saga command, built from what the saga carries. */
  private send(tx: Queryable, sagaId: string, command: SagaCommand, data: SagaData): Promise<string> {
    const { publisher } = this.parts;
    const ids = { v: 1 as const, sagaId, orderId: data.orderId };
    switch (command.type) {
      case 'inventory.reserve':
        return publisher.publish(tx, 'inventory.reserve', { ...ids, items: data.items });
      case 'payments.charge':
        if (data.amountCents === undefined) throw new Error(`saga ${sagaId}: charge before the price is known`);
        return publisher.publish(tx, 'payments.charge', {
          ...ids,
          customer: data.customer,
          amountCents: data.amountCents,
        });
      case 'inventory.release':
      case 'payments.refund':
        return publisher.publish(tx, command.type, ids);
    }
  }
}

/** An integration event goes out with exactly the body stored in the log. */
export function publishEvent(publisher: Publisher, tx: Queryable, event: IntegrationEvent): Promise<string> {
  return publisher.publish(tx, event.type, event.data);
}
