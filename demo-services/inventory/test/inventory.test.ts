// inventory against the real PostgreSQL and RabbitMQ: the service runs in-process in a
// namespace of its own; the test talks to it as the orchestrator and the other participants
// do (messages on the exchanges) and looks at what a user sees (replies, events, /products,
// rows, the dead-letter queue).
import { HEADER_DEAD_LETTER_REASON } from '@hopscope/instrumentation/messaging';
import { type RunningService, startService } from '@hopscope/demo-shared';
import {
  type Received,
  TestBroker,
  dropNamespace,
  eventually,
  testDatabase,
  testEnv,
  uniqueNamespace,
} from '@hopscope/demo-shared/testing';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { RESERVED_PER_SKU } from '../src/adapters/stock-sql.ts';
import { inventory } from '../src/app.ts';

const INITIAL: Record<string, number> = {
  'espresso-beans': 1_000_000,
  'green-tea': 1_000_000,
  'moka-pot': 1_000_000,
  'milk-frother': 1_000_000,
  'gold-teapot': 3,
};

const ns = uniqueNamespace();
let service: RunningService;
let broker: TestBroker;
let db: pg.Pool;

before(async () => {
  service = await startService(inventory, testEnv(ns));
  await service.ready;
  broker = await TestBroker.connect(ns);
  await broker.probe('commands', ['orders.saga-reply']);
  await broker.probeEvents(['stock.released']);
  db = testDatabase(ns, 'inventory');
});

after(async () => {
  await db?.end();
  await broker?.close();
  await service?.stop();
  await dropNamespace(ns);
});

async function stockOf(): Promise<Record<string, number>> {
  const res = await fetch(`${service.url}/products`);
  assert.equal(res.status, 200);
  const { products } = (await res.json()) as { products: Array<{ sku: string; stock: number }> };
  return Object.fromEntries(products.map((p) => [p.sku, p.stock]));
}

function reserve(orderId: string, items: Array<{ sku: string; quantity: number }>, messageId?: string): string {
  return broker.publish(
    'commands',
    'inventory.reserve',
    { v: 1, sagaId: `saga-${orderId}`, orderId, items },
    messageId,
  );
}

const replyTo = (orderId: string, phase: 'execute' | 'compensate') => (body: Record<string, unknown>) =>
  body['orderId'] === orderId && body['phase'] === phase;

function waitForReply(orderId: string, phase: 'execute' | 'compensate'): Promise<Received> {
  return broker.waitFor('orders.saga-reply', replyTo(orderId, phase));
}

function repliesTo(orderId: string): Received[] {
  return broker.all('orders.saga-reply', (body) => body['orderId'] === orderId);
}

/** Waits until `condition` holds. */
async function until(what: string, condition: () => boolean): Promise<void> {
  await eventually(what, () => Promise.resolve(condition() ? true : undefined));
}

async function assertInvariant(): Promise<void> {
  const stock = await stockOf();
  const { rows } = await db.query<{ sku: string; reserved: number }>(RESERVED_PER_SKU);
  const reserved = Object.fromEntries(rows.map((r) => [r.sku, r.reserved]));
  for (const [sku, initial] of Object.entries(INITIAL)) {
    assert.equal(stock[sku] + (reserved[sku] ?? 0), initial, `stock + reserved of ${sku}`);
  }
}

test('GET /products lists the seeded catalogue with prices and stock', async () => {
  const res = await fetch(`${service.url}/products`);
  const { products } = (await res.json()) as {
    products: Array<{ sku: string; name: string; priceCents: number; stock: number }>;
  };
  assert.deepEqual(products.map((p) => p.sku).sort(), Object.keys(INITIAL).sort());
  const teapot = products.find((p) => p.sku === 'gold-teapot')!;
  assert.equal(teapot.stock, 3);
  assert.ok(teapot.priceCents > 0 && teapot.name.length > 0);
});

test('reserve: replies ok with the price of the order and takes the stock', async () => {
  const before = await stockOf();
  const prices = Object.fromEntries(
    (
      (await (await fetch(`${service.url}/products`)).json()) as {
        products: Array<{ sku: string; priceCents: number }>;
      }
    ).products.map((p) => [p.sku, p.priceCents]),
  );
  const orderId = randomUUID();
  reserve(orderId, [
    { sku: 'espresso-beans', quantity: 2 },
    { sku: 'moka-pot', quantity: 1 },
    { sku: 'espresso-beans', quantity: 1 },
  ]);
  const reply = await waitForReply(orderId, 'execute');
  assert.equal(reply.body['ok'], true);
  assert.equal(reply.body['step'], 'reserve-stock');
  assert.equal(reply.body['sagaId'], `saga-${orderId}`);
  assert.equal(reply.body['amountCents'], prices['espresso-beans'] * 3 + prices['moka-pot']);
  const after = await stockOf();
  assert.equal(after['espresso-beans'], before['espresso-beans'] - 3);
  assert.equal(after['moka-pot'], before['moka-pot'] - 1);
  await assertInvariant();
});

test('reserve over the stock: ok:false naming the SKU, and no line of the order is taken', async () => {
  const before = await stockOf();
  const orderId = randomUUID();
  reserve(orderId, [
    { sku: 'green-tea', quantity: 5 },
    { sku: 'gold-teapot', quantity: 4 },
  ]);
  const reply = await waitForReply(orderId, 'execute');
  assert.equal(reply.body['ok'], false);
  assert.match(String(reply.body['reason']), /out of stock: gold-teapot/);
  assert.equal(reply.body['amountCents'], undefined);
  assert.deepEqual(await stockOf(), before);

  const unknown = randomUUID();
  reserve(unknown, [{ sku: 'no-such-thing', quantity: 1 }]);
  const refusal = await waitForReply(unknown, 'execute');
  assert.equal(refusal.body['ok'], false);
  assert.match(String(refusal.body['reason']), /unknown SKU no-such-thing/);
});

test('release gives the stock back; a second release changes nothing and still replies ok', async () => {
  const before = await stockOf();
  const orderId = randomUUID();
  reserve(orderId, [{ sku: 'milk-frother', quantity: 7 }]);
  await waitForReply(orderId, 'execute');
  assert.equal((await stockOf())['milk-frother'], before['milk-frother'] - 7);

  for (let round = 1; round <= 2; round++) {
    broker.publish('commands', 'inventory.release', { v: 1, sagaId: `saga-${orderId}`, orderId });
    await until(
      'release reply',
      () => repliesTo(orderId).filter((m) => m.body['phase'] === 'compensate').length === round,
    );
    assert.deepEqual(await stockOf(), before, `after release ${round}`);
  }
  for (const reply of repliesTo(orderId).filter((m) => m.body['phase'] === 'compensate')) {
    assert.equal(reply.body['ok'], true);
    assert.equal(reply.body['step'], 'reserve-stock');
  }
  await assertInvariant();
});

test('a release that overtakes its reserve: the late reserve is refused and holds no stock', async () => {
  const before = await stockOf();
  const orderId = randomUUID();
  broker.publish('commands', 'inventory.release', { v: 1, sagaId: `saga-${orderId}`, orderId });
  await waitForReply(orderId, 'compensate');
  reserve(orderId, [{ sku: 'green-tea', quantity: 1 }]);
  const reply = await waitForReply(orderId, 'execute');
  assert.equal(reply.body['ok'], false);
  assert.deepEqual(await stockOf(), before);
});

test('the same reserve delivered twice (same message id) takes the stock once and replies once', async () => {
  const before = await stockOf();
  const orderId = randomUUID();
  const messageId = randomUUID();
  reserve(orderId, [{ sku: 'moka-pot', quantity: 2 }], messageId);
  reserve(orderId, [{ sku: 'moka-pot', quantity: 2 }], messageId);
  await waitForReply(orderId, 'execute');
  // A second command for the same order under another id: answered again, stock taken once.
  reserve(orderId, [{ sku: 'moka-pot', quantity: 2 }]);
  await until('the answer to the second command', () => repliesTo(orderId).length === 2);
  await sleep(300);
  assert.equal(repliesTo(orderId).length, 2);
  assert.ok(repliesTo(orderId).every((m) => m.body['ok'] === true));
  assert.equal((await stockOf())['moka-pot'], before['moka-pot'] - 2);
});

test('concurrent orders for the last units: exactly the stock is sold, the invariant holds', async () => {
  const orders = Array.from({ length: 8 }, () => randomUUID());
  const teapotsLeft = (await stockOf())['gold-teapot'];
  for (const orderId of orders) reserve(orderId, [{ sku: 'gold-teapot', quantity: 1 }]);
  const replies = await Promise.all(orders.map((id) => waitForReply(id, 'execute')));
  assert.equal(replies.filter((r) => r.body['ok'] === true).length, teapotsLeft);
  assert.equal((await stockOf())['gold-teapot'], 0);
  await assertInvariant();
  // Give them back for the tests that follow.
  for (const r of replies.filter((r) => r.body['ok'] === true)) {
    broker.publish('commands', 'inventory.release', { v: 1, sagaId: 'saga-x', orderId: String(r.body['orderId']) });
  }
  for (const r of replies.filter((r) => r.body['ok'] === true)) {
    await waitForReply(String(r.body['orderId']), 'compensate');
  }
  assert.equal((await stockOf())['gold-teapot'], 3);
});

test('cancellation requested (choreography): the stock comes back and stock.released is published', async () => {
  const before = await stockOf();
  const orderId = randomUUID();
  reserve(orderId, [{ sku: 'green-tea', quantity: 3 }]);
  await waitForReply(orderId, 'execute');
  broker.publishEvent('order.cancellation-requested', { v: 1, orderId, sagaId: `cancel-${orderId}` });
  const released = await broker.waitFor('stock.released', (body) => body['orderId'] === orderId);
  assert.deepEqual(released.body, { v: 1, orderId, sagaId: `cancel-${orderId}` });
  assert.deepEqual(await stockOf(), before);
  await assertInvariant();
});

test('malformed messages end in the dead-letter queue with the reason; the consumer keeps consuming', async () => {
  await broker.watchDeadLetters('inventory.commands');
  broker.publishRaw('commands', 'inventory.reserve', Buffer.from('{not json'));
  const badJson = await broker.waitFor('inventory.reserve', (body) => body['raw'] === '{not json', 15_000);
  assert.match(String(badJson.headers[HEADER_DEAD_LETTER_REASON]), /not JSON/);

  broker.publishRaw(
    'commands',
    'inventory.reserve',
    Buffer.from(JSON.stringify({ v: 1, sagaId: 's', orderId: 'o', items: [{ sku: 'green-tea', quantity: 0 }] })),
  );
  const badContract = await broker.waitFor('inventory.reserve', (body) => body['orderId'] === 'o', 15_000);
  assert.match(String(badContract.headers[HEADER_DEAD_LETTER_REASON]), /items\[0\]\.quantity/);

  const orderId = randomUUID();
  reserve(orderId, [{ sku: 'green-tea', quantity: 1 }]);
  const reply = await waitForReply(orderId, 'execute');
  assert.equal(reply.body['ok'], true);
});
