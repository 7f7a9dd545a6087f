// The place-order saga against the real broker and database, the test playing inventory and
// payments: the happy path, a failed charge (compensation), a step timeout, duplicate and
// stale replies, and a saga surviving a restart of orders.
import { eventually } from '@hopscope/demo-shared/testing';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Shop, confirm, openShop, placeOrder, waitForStatus } from './harness.ts';

const STEP_TIMEOUT_MS = 1500;
let shop: Shop;

before(async () => {
  shop = await openShop({ ORDERS_STEP_TIMEOUT_MS: String(STEP_TIMEOUT_MS), ORDERS_SWEEP_INTERVAL_MS: '100' });
});
after(() => shop?.close());

async function sagaRow(orderId: string) {
  const { rows } = await shop.db.query<{ status: string; phase: string; step_index: number }>(
    "SELECT status, phase, step_index FROM sagas WHERE order_id = $1 AND name = 'place-order'",
    [orderId],
  );
  return rows[0];
}

test('happy path: stock reserved, payment charged → order confirmed, its events published', async () => {
  const placed = await placeOrder(shop, { customer: 'alice', items: [{ sku: 'espresso-beans', quantity: 2 }] });
  assert.equal(placed.status, 202);
  assert.equal(placed.body['status'], 'pending');
  const orderId = placed.body['orderId'] as string;

  const reserve = await shop.bus.waitFor('inventory.reserve', orderId);
  assert.deepEqual(reserve.body['items'], [{ sku: 'espresso-beans', quantity: 2 }]);
  shop.bus.reply(reserve, { ok: true, amountCents: 2400 });
  const charge = await shop.bus.waitFor('payments.charge', orderId);
  assert.equal(charge.body['sagaId'], reserve.body['sagaId']);
  assert.equal(charge.body['amountCents'], 2400);
  assert.equal(charge.body['customer'], 'alice');
  shop.bus.reply(charge, { ok: true, paymentId: 'pay-1' });

  const order = await waitForStatus(shop, orderId, 'confirmed');
  assert.deepEqual(order, {
    orderId,
    customer: 'alice',
    status: 'confirmed',
    items: [{ sku: 'espresso-beans', quantity: 2 }],
    amountCents: 2400,
    paymentId: 'pay-1',
    cancellation: null,
    reason: null,
  });
  assert.equal((await shop.bus.waitFor('order.placed', orderId)).body['customer'], 'alice');
  assert.deepEqual((await shop.bus.waitFor('order.confirmed', orderId)).body, {
    v: 1,
    orderId,
    customer: 'alice',
    amountCents: 2400,
    paymentId: 'pay-1',
  });
  await shop.bus.waitFor('order.status-changed', orderId);
  assert.equal((await sagaRow(orderId)).status, 'completed');
  assert.equal(shop.bus.all('inventory.release', orderId).length, 0, 'nothing compensated');
});

test('a failed charge: the reservation is released, the order cancelled with the reason', async () => {
  const orderId = (await placeOrder(shop)).body['orderId'] as string;
  shop.bus.reply(await shop.bus.waitFor('inventory.reserve', orderId), { ok: true, amountCents: 1800 });
  shop.bus.reply(await shop.bus.waitFor('payments.charge', orderId), { ok: false, reason: 'card declined' });

  // The failed charge is compensated first (a no-op for payments when nothing was taken).
  shop.bus.reply(await shop.bus.waitFor('payments.refund', orderId), { ok: true });
  const release = await shop.bus.waitFor('inventory.release', orderId);
  assert.equal((await sagaRow(orderId)).phase, 'compensate');
  shop.bus.reply(release, { ok: true });

  const order = await waitForStatus(shop, orderId, 'cancelled');
  assert.match(order['reason'] as string, /charge-payment failed: card declined/);
  assert.equal(order['paymentId'], null);
  assert.equal((await shop.bus.waitFor('order.cancelled', orderId)).body['reason'], order['reason']);
  await shop.bus.waitFor('order.status-changed', orderId);
  assert.equal((await sagaRow(orderId)).status, 'compensated');
  assert.equal(shop.bus.all('payments.refund', orderId).length, 1, 'one refund asked');
});

test('out of stock: the failed reservation is released (a no-op), the order cancelled, no charge asked', async () => {
  const orderId = (await placeOrder(shop, { items: [{ sku: 'gold-teapot', quantity: 5 }] })).body['orderId'] as string;
  shop.bus.reply(await shop.bus.waitFor('inventory.reserve', orderId), {
    ok: false,
    reason: 'out of stock: gold-teapot',
  });
  shop.bus.reply(await shop.bus.waitFor('inventory.release', orderId), { ok: true });
  const order = await waitForStatus(shop, orderId, 'cancelled');
  assert.match(order['reason'] as string, /reserve-stock failed: out of stock/);
  assert.equal(shop.bus.all('payments.charge', orderId).length, 0);
  assert.equal((await sagaRow(orderId)).status, 'compensated');
});

test('a step with no reply times out: it is compensated, the order fails, the saga ends timed_out', async () => {
  const orderId = (await placeOrder(shop)).body['orderId'] as string;
  const reserve = await shop.bus.waitFor('inventory.reserve', orderId);
  shop.bus.reply(reserve, { ok: true, amountCents: 900 });
  await shop.bus.waitFor('payments.charge', orderId);
  // payments never answers: after the timeout the charge (which may have happened) is refunded…
  const refund = await shop.bus.waitFor('payments.refund', orderId, STEP_TIMEOUT_MS + 5000);
  shop.bus.reply(refund, { ok: true });
  // …then the stock released.
  const release = await shop.bus.waitFor('inventory.release', orderId);
  shop.bus.reply(release, { ok: true });

  const order = await waitForStatus(shop, orderId, 'failed');
  assert.match(order['reason'] as string, /charge-payment got no execute reply within 1500 ms/);
  assert.equal((await shop.bus.waitFor('order.failed', orderId)).body['reason'], order['reason']);
  assert.equal((await sagaRow(orderId)).status, 'timed_out');

  // The late reply of the charge changes nothing.
  shop.bus.publish('commands', 'orders.saga-reply', {
    v: 1,
    sagaId: reserve.body['sagaId'],
    orderId,
    step: 'charge-payment',
    phase: 'execute',
    ok: true,
    paymentId: 'late',
  });
  await sleep(500);
  assert.equal((await waitForStatus(shop, orderId, 'failed'))['paymentId'], null);
});

test('a compensation with no reply either: the saga ends timed_out, the remaining compensations still sent', async () => {
  const orderId = (await placeOrder(shop)).body['orderId'] as string;
  await shop.bus.waitFor('inventory.reserve', orderId);
  // Neither the reservation nor its release is ever answered.
  await shop.bus.waitFor('inventory.release', orderId, STEP_TIMEOUT_MS + 5000);
  const order = await waitForStatus(shop, orderId, 'failed');
  assert.match(order['reason'] as string, /reserve-stock got no compensate reply/);
  assert.equal((await sagaRow(orderId)).status, 'timed_out');
});

test('a duplicate reply (same message id) and a stale one (another id) change nothing', async () => {
  const orderId = (await placeOrder(shop)).body['orderId'] as string;
  const reserve = await shop.bus.waitFor('inventory.reserve', orderId);
  const messageId = shop.bus.reply(reserve, { ok: true, amountCents: 500 });
  await shop.bus.waitFor('payments.charge', orderId);
  shop.bus.reply(reserve, { ok: true, amountCents: 500 }, messageId); // redelivered
  shop.bus.reply(reserve, { ok: true, amountCents: 777 }); // the same answer sent twice by a participant
  await sleep(800);
  assert.equal(shop.bus.all('payments.charge', orderId).length, 1, 'one charge command only');
  const { rows } = await shop.db.query("SELECT 1 FROM order_events WHERE order_id = $1 AND type = 'stock-reserved'", [
    orderId,
  ]);
  assert.equal(rows.length, 1, 'the reservation recorded once');
  const { rows: claimed } = await shop.db.query('SELECT 1 FROM hopscope_processed_messages WHERE message_id = $1', [
    messageId,
  ]);
  assert.equal(claimed.length, 1);

  shop.bus.reply(await shop.bus.waitFor('payments.charge', orderId), { ok: true, paymentId: 'pay-dup' });
  const order = await waitForStatus(shop, orderId, 'confirmed');
  assert.equal(order['amountCents'], 500);
  await sleep(300);
  assert.equal(shop.bus.all('order.confirmed', orderId).length, 1);
});

test('a saga in flight survives a restart of orders', async () => {
  const orderId = (await placeOrder(shop)).body['orderId'] as string;
  const reserve = await shop.bus.waitFor('inventory.reserve', orderId);
  await shop.restart();
  shop.bus.reply(reserve, { ok: true, amountCents: 1200 });
  shop.bus.reply(await shop.bus.waitFor('payments.charge', orderId), { ok: true, paymentId: 'pay-restart' });
  await waitForStatus(shop, orderId, 'confirmed');
  await eventually('order.confirmed published', () => Promise.resolve(shop.bus.all('order.confirmed', orderId)[0]));
});

test('two instances sweep side by side: each timed-out saga is compensated and ended once', async () => {
  await shop.addInstance();
  const orderIds: string[] = [];
  for (let i = 0; i < 6; i++) orderIds.push((await placeOrder(shop)).body['orderId'] as string);
  for (const orderId of orderIds) {
    const release = await shop.bus.waitFor('inventory.release', orderId, STEP_TIMEOUT_MS + 5000);
    shop.bus.reply(release, { ok: true });
  }
  for (const orderId of orderIds) await waitForStatus(shop, orderId, 'failed');
  await sleep(500);
  for (const orderId of orderIds) {
    assert.equal(shop.bus.all('inventory.release', orderId).length, 1, `one release for ${orderId}`);
    assert.equal(shop.bus.all('order.failed', orderId).length, 1, `one order.failed for ${orderId}`);
  }
});

// Keeps the confirm() helper honest for the HTTP tests that rely on it.
test('confirm() drives an order to confirmed', async () => {
  const orderId = (await placeOrder(shop)).body['orderId'] as string;
  assert.equal((await confirm(shop, orderId))['status'], 'confirmed');
});
