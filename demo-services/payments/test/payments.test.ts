// payments against the real PostgreSQL, RabbitMQ and bank (in-process, answering every
// call): charges once per order however the command is delivered, refunds on compensation
// and on cancellation, dead-letters what fails its contract.
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
import { HEADER_DEAD_LETTER_REASON } from '@hopscope/instrumentation/messaging';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { bank } from '../../bank/src/app.ts';
import { payments } from '../src/app.ts';
import { bankCharges, paymentStatus, waitForPaymentStatus } from './databases.ts';
import { sample } from './metrics.ts';

const DUPLICATES = 'hopscope_idempotent_duplicates_total';
const ns = uniqueNamespace();
let bankService: RunningService;
let service: RunningService;
let broker: TestBroker;
let db: pg.Pool;
let bankDb: pg.Pool;

before(async () => {
  bankService = await startService(
    bank,
    testEnv(ns, { BANK_FAILURE_RATE: '0', BANK_LATENCY_MS: '0', BANK_JITTER_MS: '0' }),
  );
  await bankService.ready;
  service = await startService(payments, testEnv(ns, { BANK_URL: bankService.url, PAYMENTS_REFUND_RETRY_MS: '100' }));
  await service.ready;
  broker = await TestBroker.connect(ns);
  await broker.probe('commands', ['orders.saga-reply']);
  await broker.probeEvents(['payment.refunded']);
  db = testDatabase(ns, 'payments');
  bankDb = testDatabase(ns, 'bank');
});

after(async () => {
  await db?.end();
  await bankDb?.end();
  await broker?.close();
  await service?.stop();
  await bankService?.stop();
  await dropNamespace(ns);
});

function charge(orderId: string, amountCents: number, messageId?: string): string {
  return broker.publish(
    'commands',
    'payments.charge',
    { v: 1, sagaId: `saga-${orderId}`, orderId, customer: 'alice', amountCents },
    messageId,
  );
}

const replies = (orderId: string, phase: 'execute' | 'compensate') =>
  broker.all('orders.saga-reply', (body) => body['orderId'] === orderId && body['phase'] === phase);

async function waitForReplies(orderId: string, phase: 'execute' | 'compensate', count = 1): Promise<Received[]> {
  await eventually(`${count} ${phase} repl(ies) for ${orderId}`, () =>
    Promise.resolve(replies(orderId, phase).length >= count ? true : undefined),
  );
  return replies(orderId, phase);
}

test('charge: one charge at the bank, the payment recorded, the orchestrator answered ok with its id', async () => {
  const orderId = randomUUID();
  charge(orderId, 4990);
  const [reply] = await waitForReplies(orderId, 'execute');
  assert.equal(reply.body['ok'], true);
  assert.equal(reply.body['step'], 'charge-payment');
  assert.equal(reply.body['sagaId'], `saga-${orderId}`);
  const { rows } = await db.query<{ payment_id: string; status: string; amount_cents: string }>(
    'SELECT payment_id, status, amount_cents FROM payments WHERE order_id = $1',
    [orderId],
  );
  assert.deepEqual(rows, [{ payment_id: reply.body['paymentId'], status: 'charged', amount_cents: '4990' }]);
  assert.deepEqual(await bankCharges(bankDb, orderId), [{ reference: orderId, amount_cents: '4990', refunded: false }]);
});

test('the same charge command delivered twice (same message id): one charge, one reply', async () => {
  const orderId = randomUUID();
  const messageId = randomUUID();
  const duplicatesBefore = (await sample(DUPLICATES, { consumer: 'payments.commands' })) ?? 0;
  charge(orderId, 1200, messageId);
  charge(orderId, 1200, messageId);
  await waitForReplies(orderId, 'execute');
  await sleep(500); // room for a second reply, were there one
  assert.equal(replies(orderId, 'execute').length, 1);
  assert.equal((await bankCharges(bankDb, orderId)).length, 1);
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM hopscope_processed_messages WHERE consumer = 'payments.commands' AND message_id = $1`,
    [messageId],
  );
  assert.equal(rows[0].n, 1);
  // The package counted the second delivery as a duplicate.
  assert.equal(await sample(DUPLICATES, { consumer: 'payments.commands' }), duplicatesBefore + 1);
});

test('two different charge messages for the same order: one charge, both answered with the same payment', async () => {
  const orderId = randomUUID();
  charge(orderId, 3300);
  charge(orderId, 3300);
  const both = await waitForReplies(orderId, 'execute', 2);
  assert.ok(both.every((r) => r.body['ok'] === true));
  assert.equal(both[0].body['paymentId'], both[1].body['paymentId']);
  assert.equal((await bankCharges(bankDb, orderId)).length, 1);
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM payments WHERE order_id = $1', [
    orderId,
  ]);
  assert.equal(rows[0].n, 1);
});

test('refund (the compensation): the bank refunds, the payment is refunded, the reply is ok; again is a no-op', async () => {
  const orderId = randomUUID();
  charge(orderId, 2500);
  await waitForReplies(orderId, 'execute');
  for (let round = 1; round <= 2; round++) {
    broker.publish('commands', 'payments.refund', { v: 1, sagaId: `saga-${orderId}`, orderId });
    const compensations = await waitForReplies(orderId, 'compensate', round);
    assert.ok(compensations.every((r) => r.body['ok'] === true && r.body['step'] === 'charge-payment'));
    assert.equal(await paymentStatus(db, orderId), 'refunded');
    assert.deepEqual(await bankCharges(bankDb, orderId), [
      { reference: orderId, amount_cents: '2500', refunded: true },
    ]);
  }
});

test('a refund that overtakes its charge: answered ok, nothing held at the bank, the late charge is refused', async () => {
  const orderId = randomUUID();
  broker.publish('commands', 'payments.refund', { v: 1, sagaId: `saga-${orderId}`, orderId });
  assert.equal((await waitForReplies(orderId, 'compensate'))[0].body['ok'], true);
  // Refunded by reference in the background: the bank holds no charge, so the payment ends declined.
  await waitForPaymentStatus(db, orderId, 'declined');
  charge(orderId, 800);
  const [late] = await waitForReplies(orderId, 'execute');
  assert.equal(late.body['ok'], false);
  assert.match(String(late.body['reason']), /refunded before any charge/);
  // The bank keeps the refund's empty, refunded entry (it refuses a late charge): no money held.
  assert.deepEqual(
    (await bankCharges(bankDb, orderId)).map((c) => ({ amount: Number(c.amount_cents), refunded: c.refunded })),
    [{ amount: 0, refunded: true }],
  );
});

test('stock.released (cancellation, choreography): refunds and publishes payment.refunded with the amount', async () => {
  const orderId = randomUUID();
  charge(orderId, 7700);
  await waitForReplies(orderId, 'execute');
  broker.publishEvent('stock.released', { v: 1, orderId, sagaId: `cancel-${orderId}` });
  const refunded = await broker.waitFor('payment.refunded', (body) => body['orderId'] === orderId);
  assert.deepEqual(refunded.body, { v: 1, orderId, sagaId: `cancel-${orderId}`, amountCents: 7700 });
  assert.equal(await paymentStatus(db, orderId), 'refunded');
  assert.equal((await bankCharges(bankDb, orderId))[0].refunded, true);
});

test('malformed messages end in the dead-letter queue with the reason; the consumer keeps consuming', async () => {
  await broker.watchDeadLetters('payments.commands');
  broker.publishRaw('commands', 'payments.charge', Buffer.from('not json at all'));
  const badJson = await broker.waitFor('payments.charge', (body) => body['raw'] === 'not json at all', 15_000);
  assert.match(String(badJson.headers[HEADER_DEAD_LETTER_REASON]), /not JSON/);

  broker.publishRaw(
    'commands',
    'payments.charge',
    Buffer.from(JSON.stringify({ v: 1, sagaId: 's', orderId: 'o', customer: 'alice', amountCents: -5 })),
  );
  const badContract = await broker.waitFor('payments.charge', (body) => body['orderId'] === 'o', 15_000);
  assert.match(String(badContract.headers[HEADER_DEAD_LETTER_REASON]), /amountCents/);
  assert.equal(await paymentStatus(db, 'o'), undefined);

  const orderId = randomUUID();
  charge(orderId, 100);
  assert.equal((await waitForReplies(orderId, 'execute'))[0].body['ok'], true);
});
