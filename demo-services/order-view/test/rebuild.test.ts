// The rebuild against the real orders service (its event log behind GET /events): orders are
// placed over HTTP and driven to their ends by this test playing inventory, payments and
// shipping on the broker; the live view is then damaged, rebuilt from the log, and compared
// with what it was. Shipments (not in the orders log) survive the rebuild.
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
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type pg from 'pg';
import { orders } from '../../orders/src/app.ts';
import { orderView } from '../src/app.ts';

const run = promisify(execFile);
const ns = uniqueNamespace();
let ordersSvc: RunningService;
let view: RunningService;
let broker: TestBroker;
let db: pg.Pool;

before(async () => {
  ordersSvc = await startService(orders, testEnv(ns, { ORDERS_STEP_TIMEOUT_MS: '600000' }));
  await ordersSvc.ready;
  view = await startService(orderView, testEnv(ns, { ORDERS_URL: ordersSvc.url }));
  await view.ready;
  broker = await TestBroker.connect(ns);
  await broker.probe('commands', ['inventory.reserve', 'inventory.release', 'payments.charge']);
  await broker.probeEvents(['order.cancellation-requested', 'order.cancelled']);
  db = testDatabase(ns, 'order-view');
});

after(async () => {
  await broker?.close();
  await db?.end();
  await view?.stop();
  await ordersSvc?.stop();
  await dropNamespace(ns);
});

type Body = Record<string, unknown>;
const forOrder = (orderId: string) => (body: Body) => body['orderId'] === orderId;

async function placeOrder(customer: string, sku: string): Promise<string> {
  const res = await fetch(`${ordersSvc.url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), 'x-customer': customer },
    body: JSON.stringify({ items: [{ sku, quantity: 1 }] }),
  });
  assert.equal(res.status, 202);
  return ((await res.json()) as { orderId: string }).orderId;
}

const STEP_OF: Record<string, [step: string, phase: string]> = {
  'inventory.reserve': ['reserve-stock', 'execute'],
  'inventory.release': ['reserve-stock', 'compensate'],
  'payments.charge': ['charge-payment', 'execute'],
};

/** Answers the saga's command for `orderId` as the participant would. */
async function reply(command: string, orderId: string, reply: Body): Promise<void> {
  const { body } = await broker.waitFor(command, forOrder(orderId));
  const [step, phase] = STEP_OF[command];
  broker.publish('commands', 'orders.saga-reply', { v: 1, sagaId: body['sagaId'], orderId, step, phase, ...reply });
}

async function confirmOrder(orderId: string): Promise<void> {
  await reply('inventory.reserve', orderId, { ok: true, amountCents: 1250 });
  await reply('payments.charge', orderId, { ok: true, paymentId: `pay-${orderId}` });
}

async function viewOf(orderId: string): Promise<Body | undefined> {
  const res = await fetch(`${view.url}/orders/${orderId}`);
  return res.ok ? ((await res.json()) as Body) : undefined;
}

function viewShows(orderId: string, check: (order: Body) => boolean): Promise<Body> {
  return eventually(`order-view to show ${orderId}`, async () => {
    const order = await viewOf(orderId);
    return order && check(order) ? order : undefined;
  });
}

test('the view rebuilt from the orders event log equals the live one, shipments kept', async () => {
  // confirmed and shipped; cancelled by compensation (out of stock); still pending; confirmed, shipped, then cancelled.
  const confirmed = await placeOrder('alice', 'green-tea');
  const outOfStock = await placeOrder('alice', 'gold-teapot');
  const pending = await placeOrder('bob', 'moka-pot');
  const cancelled = await placeOrder('bob', 'milk-frother');

  await confirmOrder(confirmed);
  await reply('inventory.reserve', outOfStock, { ok: false, reason: 'out of stock: gold-teapot' });
  await reply('inventory.release', outOfStock, { ok: true }); // orders compensates the failed step too
  await confirmOrder(cancelled);
  for (const orderId of [confirmed, cancelled]) {
    await viewShows(orderId, (o) => o['status'] === 'confirmed');
    broker.publishEvent('shipment.scheduled', { v: 1, orderId, shipmentId: `shp-${orderId}` });
  }
  const cancel = await fetch(`${ordersSvc.url}/orders/${cancelled}/cancel`, {
    method: 'POST',
    headers: { 'x-customer': 'bob' },
  });
  assert.equal(cancel.status, 202);
  const { body: requested } = await broker.waitFor('order.cancellation-requested', forOrder(cancelled));
  // Shipping, the last participant of the cancellation, announces the cancelled shipment.
  broker.publishEvent('shipment.cancelled', { v: 1, orderId: cancelled, sagaId: requested['sagaId'] });
  await broker.waitFor('order.cancelled', forOrder(cancelled));

  const live = {
    confirmed: await viewShows(confirmed, (o) => o['shipment'] !== null),
    outOfStock: await viewShows(outOfStock, (o) => o['status'] === 'cancelled'),
    pending: await viewShows(pending, (o) => o['status'] === 'pending'),
    cancelled: await viewShows(cancelled, (o) => o['status'] === 'cancelled' && o['shipment'] !== null),
  };
  assert.deepEqual(live.confirmed['shipment'], { shipmentId: `shp-${confirmed}`, status: 'scheduled' });
  assert.deepEqual(live.cancelled['shipment'], { shipmentId: `shp-${cancelled}`, status: 'cancelled' });
  assert.equal(live.cancelled['cancellation'], 'requested');
  assert.match(String(live.outOfStock['reason']), /out of stock: gold-teapot/);

  // Damage the live view: a wrong status, a lost row.
  await db.query("UPDATE order_view SET status = 'failed', amount_cents = 1 WHERE order_id = $1", [confirmed]);
  await db.query('DELETE FROM order_view WHERE order_id = $1', [pending]);
  assert.equal(await viewOf(pending), undefined);

  const logged = await fetch(`${ordersSvc.url}/events?limit=1000`);
  const { events } = (await logged.json()) as { events: unknown[] };
  const res = await fetch(`${view.url}/rebuild`, { method: 'POST' });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { events: events.length, orders: 4 });

  const rebuilt = {
    confirmed: await viewOf(confirmed),
    outOfStock: await viewOf(outOfStock),
    pending: await viewOf(pending),
    cancelled: await viewOf(cancelled),
  };
  const withoutUpdatedAt = (order: Body | undefined) => ({ ...order, updatedAt: undefined });
  for (const key of Object.keys(live) as Array<keyof typeof live>) {
    assert.deepEqual(withoutUpdatedAt(rebuilt[key]), withoutUpdatedAt(live[key]), key);
  }
  // Rows the rebuild found right are left as they were, updatedAt included.
  assert.deepEqual(rebuilt.outOfStock, live.outOfStock);
  assert.deepEqual(rebuilt.cancelled, live.cancelled);

  // The swapped-in table is the live one now: queries and the consumer use it, and it rebuilds again.
  const list = await fetch(`${view.url}/orders?customer=bob`);
  assert.deepEqual(
    ((await list.json()) as { orders: Body[] }).orders.map((o) => o['orderId']),
    [cancelled, pending],
  );
  broker.publishEvent('shipment.scheduled', { v: 1, orderId: pending, shipmentId: `shp-${pending}` });
  await viewShows(pending, (o) => o['shipment'] !== null);
  const again = await fetch(`${view.url}/rebuild`, { method: 'POST' });
  assert.deepEqual(await again.json(), { events: events.length, orders: 4 });
  assert.deepEqual(await viewOf(pending), await viewShows(pending, (o) => o['shipment'] !== null));
});

test('npm run rebuild asks the running service to rebuild and says what it replayed', async () => {
  const cli = fileURLToPath(new URL('../src/rebuild.ts', import.meta.url));
  const { stdout } = await run(process.execPath, [cli], { env: { ...process.env, ORDER_VIEW_URL: view.url } });
  assert.match(stdout, /^order view rebuilt: \d+ events replayed into 4 orders\n$/);

  const down = await run(process.execPath, [cli], {
    env: { ...process.env, ORDER_VIEW_URL: 'http://127.0.0.1:9' },
  }).then(
    () => undefined,
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(down?.code, 1);
  assert.match(down?.stderr ?? '', /not reachable/);
});
