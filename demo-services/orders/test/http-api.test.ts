// orders' HTTP API as the gateway and order-view use it: the Idempotency-Key (concurrent
// repeats, another body), bad input naming the field, GET /events, and cancellation (404,
// 409, and the choreographed saga's start and end as orders sees them).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Body, type Shop, confirm, getOrder, openShop, placeOrder, waitForStatus } from './harness.ts';

let shop: Shop;

before(async () => {
  shop = await openShop();
});
after(() => shop?.close());

function post(path: string, headers: Record<string, string>, body?: string) {
  return fetch(`${shop.orders.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
  });
}

async function cancel(orderId: string, customer = 'alice'): Promise<{ status: number; body: Body }> {
  const response = await post(`/orders/${orderId}/cancel`, { 'x-customer': customer });
  return { status: response.status, body: (await response.json()) as Body };
}

async function allEvents(): Promise<Array<{ seq: number; type: string; body: Body }>> {
  const response = await fetch(`${shop.orders.url}/events?limit=1000`);
  return ((await response.json()) as { events: Array<{ seq: number; type: string; body: Body }> }).events;
}

test('the same Idempotency-Key 5 times concurrently: one order, the same answer to all five', async () => {
  const key = randomUUID();
  const items = [{ sku: 'green-tea', quantity: 3 }];
  const answers = await Promise.all(Array.from({ length: 5 }, () => placeOrder(shop, { key, items })));
  for (const answer of answers) assert.equal(answer.status, 202);
  const orderIds = new Set(answers.map((a) => a.body['orderId']));
  assert.equal(orderIds.size, 1, `one order id, got ${[...orderIds].join(', ')}`);
  const [orderId] = orderIds as Set<string>;
  for (const answer of answers) assert.deepEqual(answer.body, { orderId, status: 'pending' });

  await shop.bus.waitFor('inventory.reserve', orderId);
  const { rows } = await shop.db.query<{ n: string }>(
    "SELECT count(DISTINCT order_id) AS n FROM order_events WHERE type = 'order.placed' AND data->'items' = $1::jsonb",
    [JSON.stringify(items)],
  );
  assert.equal(Number(rows[0].n), 1, 'one order placed');
  assert.equal(shop.bus.all('inventory.reserve', orderId).length, 1, 'one saga started');

  // Later, once more: still the same answer, even if the order moved on.
  await confirm(shop, orderId);
  assert.deepEqual((await placeOrder(shop, { key, items })).body, { orderId, status: 'pending' });
});

test('the same Idempotency-Key with another body → 409 idempotency_key_reused; another customer may use it', async () => {
  const key = randomUUID();
  const first = await placeOrder(shop, { key, items: [{ sku: 'moka-pot', quantity: 1 }] });
  assert.equal(first.status, 202);
  const reused = await placeOrder(shop, { key, items: [{ sku: 'moka-pot', quantity: 2 }] });
  assert.equal(reused.status, 409);
  assert.equal((reused.body['error'] as Body)['code'], 'idempotency_key_reused');
  // Keys are per customer: bob's key is not alice's.
  const bobs = await placeOrder(shop, { key, customer: 'bob', items: [{ sku: 'moka-pot', quantity: 2 }] });
  assert.equal(bobs.status, 202);
  assert.notEqual(bobs.body['orderId'], first.body['orderId']);
});

test('bad input → 400 with a JSON error naming the field or header', async () => {
  const valid = JSON.stringify({ items: [{ sku: 'espresso-beans', quantity: 1 }] });
  const cases: Array<{ what: string; headers: Record<string, string>; body: string; code: string; field?: string }> = [
    {
      what: 'no Idempotency-Key',
      headers: { 'x-customer': 'alice' },
      body: valid,
      code: 'missing_header',
      field: 'idempotency-key',
    },
    {
      what: 'a bad Idempotency-Key',
      headers: { 'x-customer': 'alice', 'idempotency-key': 'has spaces in it' },
      body: valid,
      code: 'invalid_header',
      field: 'idempotency-key',
    },
    {
      what: 'no x-customer',
      headers: { 'idempotency-key': 'k1' },
      body: valid,
      code: 'missing_header',
      field: 'x-customer',
    },
    {
      what: 'quantity 0',
      headers: { 'x-customer': 'alice', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ items: [{ sku: 'espresso-beans', quantity: 0 }] }),
      code: 'invalid_request',
      field: 'items[0].quantity',
    },
    {
      what: 'an absurd quantity',
      headers: { 'x-customer': 'alice', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ items: [{ sku: 'espresso-beans', quantity: 1_000_000 }] }),
      code: 'invalid_request',
      field: 'items[0].quantity',
    },
    {
      what: 'a malformed SKU',
      headers: { 'x-customer': 'alice', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ items: [{ sku: 'NOT A SKU', quantity: 1 }] }),
      code: 'invalid_request',
      field: 'items[0].sku',
    },
    {
      what: 'too many lines',
      headers: { 'x-customer': 'alice', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ items: Array.from({ length: 21 }, () => ({ sku: 'green-tea', quantity: 1 })) }),
      code: 'invalid_request',
      field: 'items',
    },
    {
      what: 'no items',
      headers: { 'x-customer': 'alice', 'idempotency-key': randomUUID() },
      body: JSON.stringify({}),
      code: 'invalid_request',
      field: 'items',
    },
    {
      what: 'malformed JSON',
      headers: { 'x-customer': 'alice', 'idempotency-key': randomUUID() },
      body: '{"items": [',
      code: 'malformed_json',
    },
  ];
  for (const c of cases) {
    const response = await post('/orders', c.headers, c.body);
    assert.equal(response.status, 400, c.what);
    const { error } = (await response.json()) as { error: Body };
    assert.equal(error['code'], c.code, c.what);
    assert.equal(error['field'], c.field, c.what);
    assert.equal(typeof error['message'], 'string', c.what);
  }
  const badQuery = await fetch(`${shop.orders.url}/events?limit=5000`);
  assert.equal(badQuery.status, 400);
  assert.equal(((await badQuery.json()) as { error: Body }).error['field'], 'limit');
});

test('GET /events: the integration events in seq order, bodies as published, paged', async () => {
  const orderId = (await placeOrder(shop, { customer: 'carol' })).body['orderId'] as string;
  await confirm(shop, orderId);
  const published = await shop.bus.waitFor('order.confirmed', orderId);

  const events = await allEvents();
  const seqs = events.map((e) => e.seq);
  assert.deepEqual(
    seqs,
    [...seqs].sort((a, b) => a - b),
    'in seq order',
  );
  for (const event of events)
    assert.match(event.type, /^order\.(placed|confirmed|cancelled|failed|cancellation-requested)$/);
  const ours = events.filter((e) => e.body['orderId'] === orderId);
  assert.deepEqual(
    ours.map((e) => e.type),
    ['order.placed', 'order.confirmed'],
    'progress events (stock-reserved, payment-charged) stay internal',
  );
  assert.deepEqual(ours[1].body, published.body, 'the body is exactly the one published');
  assert.deepEqual(ours[0].body, (await shop.bus.waitFor('order.placed', orderId)).body);

  // Paging: after=<seq>&limit=<n>, next = the last seq while there is more.
  const first = (await (await fetch(`${shop.orders.url}/events?limit=1`)).json()) as {
    events: unknown[];
    next: number | null;
  };
  assert.equal(first.events.length, 1);
  assert.equal(first.next, seqs[0]);
  const rest = (await (await fetch(`${shop.orders.url}/events?after=${first.next}&limit=1000`)).json()) as {
    events: Array<{ seq: number }>;
    next: number | null;
  };
  assert.deepEqual(
    rest.events.map((e) => e.seq),
    seqs.slice(1),
  );
  assert.equal(rest.next, null);
});

test('GET /orders/:id: unknown → 404; another customer’s → 404', async () => {
  const unknown = await fetch(`${shop.orders.url}/orders/${randomUUID()}`);
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { error: Body }).error['code'], 'order_not_found');
  const orderId = (await placeOrder(shop, { customer: 'dave' })).body['orderId'] as string;
  assert.equal((await fetch(`${shop.orders.url}/orders/${orderId}`, { headers: { 'x-customer': 'eve' } })).status, 404);
  assert.equal((await getOrder(shop, orderId))['customer'], 'dave');
});

test('cancel: unknown or another customer’s → 404, not confirmed → 409', async () => {
  assert.equal((await cancel(randomUUID())).status, 404);
  const orderId = (await placeOrder(shop, { customer: 'alice' })).body['orderId'] as string;
  const pending = await cancel(orderId);
  assert.equal(pending.status, 409);
  assert.equal((pending.body['error'] as Body)['code'], 'order_not_cancellable');
  assert.match((pending.body['error'] as Body)['message'] as string, /is pending/);
  assert.equal((await cancel(orderId, 'mallory')).status, 404);
  const missing = await post(`/orders/${orderId}/cancel`, {});
  assert.equal(missing.status, 400);
  assert.equal(((await missing.json()) as { error: Body }).error['field'], 'x-customer');
});

test('cancel a confirmed order: requested once, then shipment.cancelled ends it → order cancelled', async () => {
  const orderId = (await placeOrder(shop, { customer: 'alice' })).body['orderId'] as string;
  await confirm(shop, orderId);

  const requested = await cancel(orderId);
  assert.equal(requested.status, 202);
  assert.deepEqual(requested.body, { orderId, status: 'confirmed', cancellation: 'requested' });
  assert.equal((await cancel(orderId)).status, 202, 'asking again while cancelling is the same request');
  const announced = await shop.bus.waitFor('order.cancellation-requested', orderId);
  const sagaId = announced.body['sagaId'] as string;
  assert.equal((await getOrder(shop, orderId))['cancellation'], 'requested');

  // …inventory, payments and shipping do their part; shipping's event ends it, delivered twice.
  const messageId = shop.bus.publish('events', 'shipment.cancelled', { v: 1, orderId, sagaId });
  const order = await waitForStatus(shop, orderId, 'cancelled');
  shop.bus.publish('events', 'shipment.cancelled', { v: 1, orderId, sagaId }, messageId);
  assert.equal(order['cancellation'], 'requested');
  assert.equal((await shop.bus.waitFor('order.cancelled', orderId)).body['reason'], order['reason']);
  await shop.bus.waitFor('order.status-changed', orderId);
  await sleep(300);
  assert.equal(shop.bus.all('order.cancelled', orderId).length, 1, 'the redelivery changed nothing');

  const { rows } = await shop.db.query<{ status: string }>('SELECT status FROM sagas WHERE id = $1', [sagaId]);
  assert.equal(rows[0].status, 'completed');
  const types = (await allEvents()).filter((e) => e.body['orderId'] === orderId).map((e) => e.type);
  assert.deepEqual(types, ['order.placed', 'order.confirmed', 'order.cancellation-requested', 'order.cancelled']);
  assert.equal((await cancel(orderId)).status, 409, 'a cancelled order cannot be cancelled');
});
