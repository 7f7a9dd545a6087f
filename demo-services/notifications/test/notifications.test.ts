// notifications against the real PostgreSQL, RabbitMQ and a real order-view (started here,
// fed the order events over the broker): a zero-payload order.status-changed becomes one
// notification per (order, status), however often it is delivered and even when order-view
// lags behind; a malformed message and an order order-view never learns of are dead-lettered
// with the reason.
import { type RunningService, startService } from '@hopscope/demo-shared';
import { dropNamespace, eventually, TestBroker, testEnv, uniqueNamespace } from '@hopscope/demo-shared/testing';
import { HEADER_DEAD_LETTER_REASON } from '@hopscope/instrumentation/messaging';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { orderView } from '../../order-view/src/app.ts';
import { notifications } from '../src/app.ts';

const ns = uniqueNamespace();
let view: RunningService;
let svc: RunningService;
let broker: TestBroker;

before(async () => {
  // order-view's rebuild is not used here: nothing listens on its orders URL.
  view = await startService(orderView, testEnv(ns, { ORDERS_URL: 'http://127.0.0.1:9' }));
  await view.ready;
  svc = await startService(notifications, testEnv(ns, { ORDER_VIEW_URL: view.url, NOTIFICATIONS_VIEW_WAIT_MS: '300' }));
  await svc.ready;
  broker = await TestBroker.connect(ns);
  await broker.watchDeadLetters('notifications.events');
});

after(async () => {
  await broker?.close();
  await svc?.stop();
  await view?.stop();
  await dropNamespace(ns);
});

interface Sent {
  orderId: string;
  status: string;
  to: string;
  channel: string;
  text: string;
}

async function sentFor(orderId: string): Promise<Sent[]> {
  const res = await fetch(`${svc.url}/notifications?orderId=${orderId}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { notifications: Sent[] }).notifications;
}

/** Feeds order-view the events of a placed and confirmed order (as orders would publish them). */
function placeAndConfirm(orderId: string, customer: string): void {
  broker.publishEvent('order.placed', {
    v: 1,
    orderId,
    customer,
    items: [{ sku: 'espresso-beans', quantity: 1 }],
    placedAt: new Date().toISOString(),
  });
  broker.publishEvent('order.confirmed', { v: 1, orderId, customer, amountCents: 1500, paymentId: `pay-${orderId}` });
}

async function viewStatus(orderId: string, status: string): Promise<void> {
  await eventually(`order-view to show ${orderId} ${status}`, async () => {
    const res = await fetch(`${view.url}/orders/${orderId}`);
    return res.ok && ((await res.json()) as { status: string }).status === status ? true : undefined;
  });
}

test('a status change becomes one notification with the current order, once, however often it is delivered', async () => {
  const orderId = randomUUID();
  placeAndConfirm(orderId, 'alice');
  await viewStatus(orderId, 'confirmed');

  const messageId = broker.publishEvent('order.status-changed', { v: 1, orderId });
  broker.publishEvent('order.status-changed', { v: 1, orderId }, messageId); // redelivered
  broker.publishEvent('order.status-changed', { v: 1, orderId }); // sent twice

  const sent = await eventually('the notification', async () => {
    const found = await sentFor(orderId);
    return found.length > 0 ? found : undefined;
  });
  // Long enough for the duplicates, each of which looks at order-view up to three times.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.deepEqual(await sentFor(orderId), sent);
  assert.equal(sent.length, 1);
  assert.deepEqual(
    { orderId: sent[0].orderId, status: sent[0].status, to: sent[0].to, channel: sent[0].channel },
    { orderId, status: 'confirmed', to: 'alice', channel: 'email' },
  );
  assert.match(sent[0].text, /confirmed/);
});

test('a status change that overtakes the read model is notified once order-view catches up', async () => {
  const orderId = randomUUID();
  broker.publishEvent('order.status-changed', { v: 1, orderId });
  await new Promise((resolve) => setTimeout(resolve, 200)); // order-view does not know the order yet
  placeAndConfirm(orderId, 'bob');

  const sent = await eventually('the notification', async () => {
    const found = await sentFor(orderId);
    return found.length > 0 ? found : undefined;
  });
  assert.deepEqual(
    sent.map((n) => [n.status, n.to]),
    [['confirmed', 'bob']],
  );
});

test('each new status is notified: a cancellation after the confirmation', async () => {
  const orderId = randomUUID();
  placeAndConfirm(orderId, 'carol');
  await viewStatus(orderId, 'confirmed');
  broker.publishEvent('order.status-changed', { v: 1, orderId });
  await eventually('the confirmation notice', async () => ((await sentFor(orderId)).length === 1 ? true : undefined));

  broker.publishEvent('order.cancelled', { v: 1, orderId, reason: 'cancelled by the customer' });
  await viewStatus(orderId, 'cancelled');
  broker.publishEvent('order.status-changed', { v: 1, orderId });
  const sent = await eventually('the cancellation notice', async () => {
    const found = await sentFor(orderId);
    return found.length === 2 ? found : undefined;
  });
  assert.deepEqual(
    sent.map((n) => n.status),
    ['confirmed', 'cancelled'],
  );
  assert.match(sent[1].text, /cancelled by the customer/);
});

test('a malformed message is dead-lettered with the reason', async () => {
  broker.publishEvent('order.status-changed', { v: 1, order: 'no-such-field' });
  const dead = await broker.waitFor('order.status-changed', (body) => body['order'] === 'no-such-field');
  const reason = String(dead.headers[HEADER_DEAD_LETTER_REASON]);
  assert.match(reason, /order\.status-changed/);
  assert.match(reason, /orderId/);
  assert.equal(dead.headers['x-hopscope-original-queue'], `${ns}.notifications.events`);
});

test('an order order-view never learns of is dead-lettered after the retries, with the reason', async () => {
  const orderId = randomUUID();
  broker.publishEvent('order.status-changed', { v: 1, orderId });
  const dead = await broker.waitFor('order.status-changed', (body) => body['orderId'] === orderId);
  assert.match(String(dead.headers[HEADER_DEAD_LETTER_REASON]), new RegExp(`order ${orderId} is not in order-view`));
  assert.equal(dead.headers['x-hopscope-attempts'], 3);
  assert.deepEqual(await sentFor(orderId), []);
});
