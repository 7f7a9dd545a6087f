// order-view live, against the real PostgreSQL and RabbitMQ: events published to the broker in
// order, in reverse and repeated all end at the same row; the queries and their errors.
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
import { orderView } from '../src/app.ts';

const ns = uniqueNamespace();
let svc: RunningService;
let broker: TestBroker;
let db: pg.Pool;

before(async () => {
  // No rebuild here (see rebuild.test.ts): nothing listens on the orders URL.
  svc = await startService(orderView, testEnv(ns, { ORDERS_URL: 'http://127.0.0.1:9' }));
  await svc.ready;
  broker = await TestBroker.connect(ns);
  db = testDatabase(ns, 'order-view');
});

after(async () => {
  await broker?.close();
  await db?.end();
  await svc?.stop();
  await dropNamespace(ns);
});

/** An order's whole life as the events the view subscribes to, in the order they happen. */
function lifecycle(orderId: string, customer: string, placedAt: string): Array<[string, Record<string, unknown>]> {
  return [
    ['order.placed', { v: 1, orderId, customer, items: [{ sku: 'moka-pot', quantity: 1 }], placedAt }],
    ['order.confirmed', { v: 1, orderId, customer, amountCents: 3500, paymentId: `pay-${orderId}` }],
    ['shipment.scheduled', { v: 1, orderId, shipmentId: `shp-${orderId}` }],
    ['order.cancellation-requested', { v: 1, orderId, sagaId: `saga-${orderId}` }],
    ['shipment.cancelled', { v: 1, orderId, sagaId: `saga-${orderId}` }],
    ['order.cancelled', { v: 1, orderId, reason: 'cancelled by the customer' }],
  ];
}

/** Publishes the events and waits until the view has processed each of them. */
async function deliver(events: Array<[string, Record<string, unknown>]>): Promise<void> {
  const ids = events.map(([type, body]) => broker.publishEvent(type, body));
  await eventually('the view to process every event', async () => {
    const { rows } = await db.query('SELECT 1 FROM hopscope_processed_messages WHERE message_id = ANY($1)', [ids]);
    return rows.length === ids.length ? rows : undefined;
  });
}

async function getOrder(orderId: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${svc.url}/orders/${orderId}`);
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, unknown>;
}

test('events in order, in reverse and repeated converge to the same row', async () => {
  const inOrder = randomUUID();
  const reversed = randomUUID();
  const placedAt = '2026-03-01T10:00:00.000Z';
  await deliver(lifecycle(inOrder, 'carol', placedAt));
  // All at once, last first, each twice (as a producer that sent it twice): handled concurrently.
  const backwards = lifecycle(reversed, 'carol', placedAt).reverse();
  await deliver([...backwards, ...backwards]);

  const expected = (orderId: string) => ({
    orderId,
    customer: 'carol',
    status: 'cancelled',
    items: [{ sku: 'moka-pot', quantity: 1 }],
    amountCents: 3500,
    paymentId: `pay-${orderId}`,
    cancellation: 'requested',
    shipment: { shipmentId: `shp-${orderId}`, status: 'cancelled' },
    reason: 'cancelled by the customer',
  });
  for (const orderId of [inOrder, reversed]) {
    const { updatedAt, ...order } = await getOrder(orderId);
    assert.deepEqual(order, expected(orderId));
    assert.ok(!Number.isNaN(Date.parse(updatedAt as string)));
  }
});

test('a redelivered message is applied once', async () => {
  const orderId = randomUUID();
  const [placed] = lifecycle(orderId, 'dave', '2026-03-02T10:00:00.000Z');
  const messageId = broker.publishEvent(...placed);
  broker.publishEvent(...placed, messageId);
  await eventually('the order to appear', async () => {
    const res = await fetch(`${svc.url}/orders/${orderId}`);
    return res.status === 200 ? res : undefined;
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { rows } = await db.query<{ version: number }>('SELECT version FROM order_view WHERE order_id = $1', [orderId]);
  assert.deepEqual(rows, [{ version: 1 }]);
});

test('an order known only from early events is not served until it is placed', async () => {
  const orderId = randomUUID();
  const [placed, confirmed] = lifecycle(orderId, 'erin', '2026-03-03T10:00:00.000Z');
  await deliver([confirmed]);
  assert.equal((await fetch(`${svc.url}/orders/${orderId}`)).status, 404);
  await deliver([placed]);
  assert.equal((await getOrder(orderId))['status'], 'confirmed');
});

test("a customer's orders, newest first, limited", async () => {
  const customer = `frank-${randomUUID()}`;
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  await deliver(ids.map((orderId, day) => lifecycle(orderId, customer, `2026-04-0${day + 1}T12:00:00.000Z`)[0]));
  const list = async (query: string) => {
    const res = await fetch(`${svc.url}/orders?${query}`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { orders: Array<{ orderId: string; status: string }> }).orders;
  };
  assert.deepEqual(
    (await list(`customer=${customer}`)).map((o) => o.orderId),
    [...ids].reverse(),
  );
  assert.deepEqual(
    (await list(`customer=${customer}&limit=2`)).map((o) => o.orderId),
    [ids[2], ids[1]],
  );
  assert.deepEqual(await list(`customer=nobody-${randomUUID()}`), []);
});

test('bad queries: 400 naming the field, unknown order 404', async () => {
  const noCustomer = await fetch(`${svc.url}/orders?limit=5`);
  assert.equal(noCustomer.status, 400);
  assert.equal(((await noCustomer.json()) as { error: { field: string } }).error.field, 'customer');

  const badLimit = await fetch(`${svc.url}/orders?customer=alice&limit=101`);
  assert.equal(badLimit.status, 400);
  assert.equal(((await badLimit.json()) as { error: { field: string } }).error.field, 'limit');

  const unknown = await fetch(`${svc.url}/orders/${randomUUID()}`);
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'no_such_order');
});

test("a shipment's cancellation that comes before its scheduling is served once the shipment's id is known", async () => {
  const orderId = randomUUID();
  const events = lifecycle(orderId, 'gina', '2026-03-04T10:00:00.000Z');
  await deliver([events[0], events[4]]); // order.placed, shipment.cancelled
  assert.equal((await getOrder(orderId))['shipment'], null);
  await deliver([events[2]]); // shipment.scheduled, late
  assert.deepEqual((await getOrder(orderId))['shipment'], { shipmentId: `shp-${orderId}`, status: 'cancelled' });
});
