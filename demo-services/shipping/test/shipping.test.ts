// shipping against the real PostgreSQL and RabbitMQ: it schedules a shipment per confirmed
// order (once, whatever the broker redelivers), cancels it in the cancel-order saga, announces
// both, and ends the saga once.
import { type RunningService, startService } from '@hopscope/demo-shared';
import {
  dropNamespace,
  eventually,
  TestBroker,
  testDatabase,
  testEnv,
  uniqueNamespace,
} from '@hopscope/demo-shared/testing';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { register } from 'prom-client';
import { shipping } from '../src/app.ts';

const ns = uniqueNamespace();
let svc: RunningService;
let broker: TestBroker;
let db: pg.Pool;

before(async () => {
  svc = await startService(shipping, testEnv(ns));
  await svc.ready;
  broker = await TestBroker.connect(ns);
  await broker.probeEvents(['shipment.scheduled', 'shipment.cancelled']);
  db = testDatabase(ns, 'shipping');
});

after(async () => {
  await broker?.close();
  await db?.end();
  await svc?.stop();
  await dropNamespace(ns);
});

const confirmed = (orderId: string) => ({ v: 1, orderId, customer: 'alice', amountCents: 1200, paymentId: 'pay-1' });
const forOrder = (orderId: string) => (body: Record<string, unknown>) => body['orderId'] === orderId;

async function shipmentRows(orderId: string) {
  const { rows } = await db.query<{ shipment_id: string; status: string }>(
    'SELECT shipment_id, status FROM shipments WHERE order_id = $1',
    [orderId],
  );
  return rows;
}

/** Waits until the service has processed these message ids, and a moment more for redeliveries queued behind them. */
async function handled(...messageIds: string[]): Promise<void> {
  await eventually('the messages handled', async () => {
    const { rows } = await db.query(
      "SELECT message_id FROM hopscope_processed_messages WHERE consumer = 'shipping.events' AND message_id = ANY($1)",
      [messageIds],
    );
    return rows.length === messageIds.length ? rows : undefined;
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
}

async function sagasEnded(outcome: string): Promise<number> {
  const metric = await register.getSingleMetric('hopscope_saga_ended_total')?.get();
  return metric?.values.find((v) => v.labels['saga'] === 'cancel-order' && v.labels['outcome'] === outcome)?.value ?? 0;
}

test('order.confirmed schedules a shipment, announces it and serves it', async () => {
  const orderId = randomUUID();
  broker.publishEvent('order.confirmed', confirmed(orderId));

  const scheduled = await broker.waitFor('shipment.scheduled', forOrder(orderId));
  assert.equal(typeof scheduled.body['shipmentId'], 'string');
  assert.deepEqual(scheduled.body, { v: 1, orderId, shipmentId: scheduled.body['shipmentId'] });

  const res = await fetch(`${svc.url}/shipments/${orderId}`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { orderId, shipmentId: scheduled.body['shipmentId'], status: 'scheduled' });
});

test('an unknown order has no shipment: 404 with a JSON error', async () => {
  const res = await fetch(`${svc.url}/shipments/${randomUUID()}`);
  assert.equal(res.status, 404);
  const body = (await res.json()) as { error: { code: string } };
  assert.equal(body.error.code, 'no_such_shipment');
});

test('a redelivered and a repeated order.confirmed still make one shipment, announced once', async () => {
  const orderId = randomUUID();
  const messageId = broker.publishEvent('order.confirmed', confirmed(orderId));
  broker.publishEvent('order.confirmed', confirmed(orderId), messageId); // the broker redelivers
  const again = broker.publishEvent('order.confirmed', confirmed(orderId)); // the producer sent it twice
  await broker.waitFor('shipment.scheduled', forOrder(orderId));
  await handled(messageId, again);
  assert.equal((await shipmentRows(orderId)).length, 1);
  assert.equal(broker.all('shipment.scheduled', forOrder(orderId)).length, 1);
});

test('payment.refunded cancels the shipment, announces it and ends the cancel-order saga once', async () => {
  const orderId = randomUUID();
  const sagaId = randomUUID();
  broker.publishEvent('order.confirmed', confirmed(orderId));
  await broker.waitFor('shipment.scheduled', forOrder(orderId));
  const endedBefore = await sagasEnded('completed');

  const refunded = { v: 1, orderId, sagaId, amountCents: 1200 };
  const messageId = broker.publishEvent('payment.refunded', refunded);
  broker.publishEvent('payment.refunded', refunded, messageId); // redelivered
  const again = broker.publishEvent('payment.refunded', refunded); // sent twice

  const cancelled = await broker.waitFor('shipment.cancelled', forOrder(orderId));
  assert.deepEqual(cancelled.body, { v: 1, orderId, sagaId });
  const res = await fetch(`${svc.url}/shipments/${orderId}`);
  assert.equal(((await res.json()) as { status: string }).status, 'cancelled');

  await handled(messageId, again);
  assert.equal(broker.all('shipment.cancelled', forOrder(orderId)).length, 1);
  assert.equal((await sagasEnded('completed')) - endedBefore, 1);
});

test('a refund that overtakes the confirmation records a cancelled shipment the late confirmation leaves alone', async () => {
  const orderId = randomUUID();
  const sagaId = randomUUID();
  broker.publishEvent('payment.refunded', { v: 1, orderId, sagaId, amountCents: 500 });
  await broker.waitFor('shipment.cancelled', forOrder(orderId));
  await handled(broker.publishEvent('order.confirmed', confirmed(orderId)));
  assert.deepEqual(
    (await shipmentRows(orderId)).map((r) => r.status),
    ['cancelled'],
  );
  assert.equal(broker.all('shipment.scheduled', forOrder(orderId)).length, 0);
});
