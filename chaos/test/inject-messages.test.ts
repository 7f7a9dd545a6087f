// The message faults against the real shop's saga (orders, inventory, payments and the bank
// in-process, on the real broker and PostgreSQL): poison messages on payments' command queue
// end dead-lettered with their reason while the next order is still charged; duplicates of
// charge commands payments already processed are caught by its idempotent consumer, counted
// once each, and charge nobody twice.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningService, type ServiceDefinition, startService } from '@hopscope/demo-shared';
import {
  TEST_AMQP_URL,
  TEST_DATABASE_URL,
  TestBroker,
  dropNamespace,
  eventually,
  testDatabase,
  testEnv,
  uniqueNamespace,
} from '@hopscope/demo-shared/testing';
import { shutdown, start } from '@hopscope/instrumentation';
import type pg from 'pg';
import { bank } from '../../demo-services/bank/src/app.ts';
import { inventory } from '../../demo-services/inventory/src/app.ts';
import { orders } from '../../demo-services/orders/src/app.ts';
import { payments } from '../../demo-services/payments/src/app.ts';
import { injectDuplicate, injectPoison } from '../src/faults/inject-messages.ts';

// The package's registry, so that payments' /metrics serves its counters in-process.
start({ serviceName: 'inject-messages-test', env: { OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' } });

const ns = uniqueNamespace();
const running: RunningService[] = [];
let ordersUrl: string;
let paymentsUrl: string;
let broker: TestBroker;
let bankDb: pg.Pool;
let paymentsDb: pg.Pool;

async function run(definition: ServiceDefinition, env: Record<string, string> = {}): Promise<string> {
  const service = await startService(definition, testEnv(ns, env));
  running.push(service);
  await service.ready;
  return service.url;
}

before(async () => {
  const bankUrl = await run(bank, { BANK_FAILURE_RATE: '0', BANK_LATENCY_MS: '0', BANK_JITTER_MS: '0' });
  paymentsUrl = await run(payments, { BANK_URL: bankUrl });
  ordersUrl = await run(orders);
  await run(inventory);
  broker = await TestBroker.connect(ns);
  await broker.watchDeadLetters('payments.commands');
  bankDb = testDatabase(ns, 'bank');
  paymentsDb = testDatabase(ns, 'payments');
});

after(async () => {
  await bankDb?.end();
  await paymentsDb?.end();
  await broker?.close();
  for (const service of running.reverse()) await service.stop().catch(() => undefined);
  await dropNamespace(ns);
  await shutdown();
});

const options = (count: number) => ({
  amqpUrl: TEST_AMQP_URL,
  databaseUrl: TEST_DATABASE_URL,
  namespace: ns,
  queue: 'payments.commands',
  count,
});

/** Places an order through orders' API and waits for it to be confirmed (stock reserved, charged). */
async function placeConfirmedOrder(): Promise<string> {
  const placed = await fetch(`${ordersUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), 'x-customer': 'alice' },
    body: JSON.stringify({ items: [{ sku: 'espresso-beans', quantity: 1 }] }),
  });
  assert.equal(placed.status, 202);
  const { orderId } = (await placed.json()) as { orderId: string };
  await eventually(
    `order ${orderId} confirmed`,
    async () => {
      const order = (await (await fetch(`${ordersUrl}/orders/${orderId}`)).json()) as { status?: string };
      if (order.status === 'failed' || order.status === 'cancelled') assert.fail(`order ${orderId} ${order.status}`);
      return order.status === 'confirmed' ? true : undefined;
    },
    20_000,
  );
  return orderId;
}

async function duplicatesCounted(): Promise<number> {
  const text = await (await fetch(`${paymentsUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('hopscope_idempotent_duplicates_total{') && l.includes('consumer="payments.commands"'));
  return Number(line?.split(' ').at(-1) ?? 0);
}

async function chargesAtTheBank(reference: string): Promise<number> {
  const { rows } = await bankDb.query<{ n: number }>('SELECT count(*)::int AS n FROM charges WHERE reference = $1', [
    reference,
  ]);
  return rows[0]?.n ?? 0;
}

test('a duplicate before anything was processed is a clear error; bad options are refused', async () => {
  await assert.rejects(injectDuplicate(options(1)), /nothing to duplicate: payments has processed no message/);
  await assert.rejects(injectDuplicate({ ...options(1), queue: 'payments.nope' }), /unknown queue "payments\.nope"/);
  await assert.rejects(injectPoison({ ...options(0) }), /count 0/);
  await assert.rejects(
    injectPoison({ ...options(1), namespace: 'tnotthere' }),
    /no queue tnotthere\.payments\.commands/,
  );
});

test('poison messages are dead-lettered with their reason, and the next order is still charged', async () => {
  const ids = await injectPoison(options(3));
  assert.equal(ids.length, 3);
  assert.equal(new Set(ids).size, 3);
  for (const id of ids) {
    const dead = await broker.waitFor('payments.charge', (body) => body['chaosPoison'] === id, 20_000);
    assert.match(String(dead.headers['x-hopscope-dead-letter-reason']), /^payments\.charge: /);
    assert.equal(dead.headers['x-hopscope-dead-letter-error'], 'ContractError');
    assert.equal(dead.headers['x-hopscope-original-queue'], `${ns}.payments.commands`);
  }
  const orderId = await placeConfirmedOrder();
  assert.equal(await chargesAtTheBank(orderId), 1, 'the consumer kept going: the next charge went through');
});

test('duplicates of processed charge commands are processed once and counted once each', async () => {
  const orderIds = [await placeConfirmedOrder(), await placeConfirmedOrder()];
  const before = await duplicatesCounted();
  const ids = await injectDuplicate(options(4));
  assert.equal(ids.length, 4);
  // Each id is a real message payments processed (once), found in orders' outbox.
  const { rows } = await paymentsDb.query<{ message_id: string; n: number }>(
    `SELECT message_id, count(*)::int AS n FROM hopscope_processed_messages
     WHERE consumer = 'payments.commands' AND message_id = ANY($1) GROUP BY message_id`,
    [ids],
  );
  assert.deepEqual(new Set(rows.map((r) => r.message_id)), new Set(ids));
  assert.ok(rows.every((r) => r.n === 1));

  await eventually('4 duplicates counted', async () => ((await duplicatesCounted()) >= before + 4 ? true : undefined));
  await sleep(1000); // room for a fifth count or a second charge, were there one
  assert.equal(await duplicatesCounted(), before + 4, 'counted once per copy');
  for (const orderId of orderIds) assert.equal(await chargesAtTheBank(orderId), 1, `${orderId} charged once`);
  const { rows: payments } = await paymentsDb.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM payments WHERE order_id = ANY($1) AND status = 'charged'",
    [orderIds],
  );
  assert.equal(payments[0]?.n, 2);
});
