// payments when the bank misbehaves, against the real bank run in-process on one port and
// swapped underneath payments: failing (503 on every call), slow (past the breaker's
// timeout), down (connection refused), healthy again. What must hold throughout: the saga
// gets an answer it can act on (declined → compensate), the breaker opens and refuses fast,
// and no charge is left without a refund.
import { type RunningService, startService } from '@hopscope/demo-shared';
import { TestBroker, dropNamespace, testDatabase, testEnv, uniqueNamespace } from '@hopscope/demo-shared/testing';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { bank } from '../../bank/src/app.ts';
import { payments } from '../src/app.ts';
import { bankCharges, paymentStatus, waitForPaymentStatus } from './databases.ts';
import { sample } from './metrics.ts';

const ns = uniqueNamespace();
const BANK_TIMEOUT_MS = 400;
let bankPort = 0;
let bankService: RunningService | undefined;
let service: RunningService;
let broker: TestBroker;
let db: pg.Pool;
let bankDb: pg.Pool;

/** (Re)starts the bank on its port with this behaviour. */
async function startBank(behaviour: { failureRate?: number; latencyMs?: number }): Promise<void> {
  await stopBank();
  bankService = await startService(
    bank,
    testEnv(ns, {
      PORT: String(bankPort),
      BANK_FAILURE_RATE: String(behaviour.failureRate ?? 0),
      BANK_LATENCY_MS: String(behaviour.latencyMs ?? 0),
      BANK_JITTER_MS: '0',
    }),
  );
  await bankService.ready;
  bankPort = Number(new URL(bankService.url).port);
}

async function stopBank(): Promise<void> {
  await bankService?.stop();
  bankService = undefined;
}

before(async () => {
  await startBank({});
  service = await startService(
    payments,
    testEnv(ns, {
      BANK_URL: `http://127.0.0.1:${bankPort}`,
      PAYMENTS_BANK_TIMEOUT_MS: String(BANK_TIMEOUT_MS),
      PAYMENTS_BREAKER_RESET_MS: '1000',
      PAYMENTS_REFUND_RETRY_MS: '100',
    }),
  );
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
  await stopBank();
  await dropNamespace(ns);
});

function charge(orderId: string, amountCents = 1000): void {
  broker.publish('commands', 'payments.charge', {
    v: 1,
    sagaId: `saga-${orderId}`,
    orderId,
    customer: 'bob',
    amountCents,
  });
}

const chargeReply = (orderId: string) =>
  broker.waitFor('orders.saga-reply', (body) => body['orderId'] === orderId && body['phase'] === 'execute');

const rejectedCalls = () => sample('hopscope_circuit_breaker_calls_total', { breaker: 'bank', outcome: 'rejected' });
/** Times the breaker opened (from closed or from a failed half-open test call). */
const timesOpened = async () =>
  ((await sample('hopscope_circuit_breaker_transitions_total', {
    breaker: 'bank',
    from_state: 'closed',
    to_state: 'open',
  })) ?? 0) +
  ((await sample('hopscope_circuit_breaker_transitions_total', {
    breaker: 'bank',
    from_state: 'half_open',
    to_state: 'open',
  })) ?? 0);

test('a charge with no answer in time: declined, then refunded by reference once the bank answers again', async () => {
  // Slower than the breaker's timeout (400 ms), but answered before payments drops the request
  // (timeout + 1 s): a bank that took longer would find its caller gone and a restart under way.
  await startBank({ latencyMs: 900 }); // the charge is still taken
  const orderId = randomUUID();
  charge(orderId, 4200);
  const reply = await chargeReply(orderId);
  assert.equal(reply.body['ok'], false);
  assert.match(String(reply.body['reason']), new RegExp(`^bank unavailable: no answer within ${BANK_TIMEOUT_MS} ms`));
  assert.equal(await paymentStatus(db, orderId), 'refund_pending');

  await startBank({}); // waits for the slow call to finish: the bank did take the money
  // The bank did take the money (the owed refund may already have reached it: checked next).
  assert.deepEqual(
    (await bankCharges(bankDb, orderId)).map(({ reference, amount_cents }) => ({ reference, amount_cents })),
    [{ reference: orderId, amount_cents: '4200' }],
  );
  await waitForPaymentStatus(db, orderId, 'refunded');
  assert.equal((await bankCharges(bankDb, orderId))[0].refunded, true);
});

test('cancellation while the bank is down: payment.refunded is published, the refund is owed, then taken', async () => {
  const orderId = randomUUID();
  charge(orderId, 5100);
  assert.equal((await chargeReply(orderId)).body['ok'], true);

  await stopBank();
  broker.publishEvent('stock.released', { v: 1, orderId, sagaId: `cancel-${orderId}` });
  const refunded = await broker.waitFor('payment.refunded', (body) => body['orderId'] === orderId);
  assert.equal(refunded.body['amountCents'], 5100);
  assert.equal(await paymentStatus(db, orderId), 'refund_pending');
  await sleep(500); // the retrier tries, and fails, meanwhile
  assert.equal(await paymentStatus(db, orderId), 'refund_pending');

  await startBank({});
  await waitForPaymentStatus(db, orderId, 'refunded');
  assert.equal((await bankCharges(bankDb, orderId))[0].refunded, true);
});

test('bank failing every call: charges declined, the breaker opens and refuses fast, nothing is charged', async () => {
  await startBank({ failureRate: 1 });
  const rejectedBefore = (await rejectedCalls()) ?? 0;
  const openedBefore = await timesOpened();
  const orders = Array.from({ length: 12 }, () => randomUUID());
  const reasons: string[] = [];
  // One after another, as a steady stream of orders would arrive.
  for (const orderId of orders) {
    charge(orderId);
    const reply = await chargeReply(orderId);
    assert.equal(reply.body['ok'], false);
    reasons.push(String(reply.body['reason']));
  }
  assert.ok(
    reasons.every((r) => r.startsWith('bank unavailable')),
    reasons.join('\n'),
  );
  // The bank was called and failed (the breaker may still be half-open from the tests before).
  assert.ok(reasons.includes('bank unavailable: HTTP 503'), reasons.join('\n'));
  // After volumeThreshold (5) failures at ≥ 50 %, the breaker is open: the bank is not called.
  const refused = reasons.filter((r) => r === 'bank unavailable: circuit breaker open').length;
  assert.ok(refused >= 5, `calls refused by the open breaker: ${refused}\n${reasons.join('\n')}`);
  // Opened (by now its reset timeout may have let it go half-open: the state itself is a race).
  assert.ok((await timesOpened()) > openedBefore, 'the breaker opened');
  assert.equal(await rejectedCalls(), rejectedBefore + refused);
  for (const orderId of orders) {
    assert.equal(await paymentStatus(db, orderId), 'declined');
    assert.deepEqual(await bankCharges(bankDb, orderId), []);
  }
});

test('the bank recovers: the breaker closes after its reset timeout and charges go through', async () => {
  await startBank({});
  await sleep(1100); // PAYMENTS_BREAKER_RESET_MS: the next call is the test call
  const orderId = randomUUID();
  charge(orderId, 900);
  assert.equal((await chargeReply(orderId)).body['ok'], true);
  assert.equal(await sample('hopscope_circuit_breaker_state', { breaker: 'bank', state: 'open' }), 0);
  assert.equal(await sample('hopscope_circuit_breaker_state', { breaker: 'bank', state: 'closed' }), 1);
});

test('no charge is left without a refund: every charge at the bank belongs to a charged payment or was refunded', async () => {
  const { rows } = await db.query<{ order_id: string; status: string }>('SELECT order_id, status FROM payments');
  const status = new Map(rows.map((r) => [r.order_id, r.status]));
  assert.ok(![...status.values()].includes('refund_pending'), 'no refund still owed');
  for (const c of await bankCharges(bankDb)) {
    if (!c.refunded) assert.equal(status.get(c.reference), 'charged', `unrefunded bank charge ${c.reference}`);
    else assert.equal(status.get(c.reference), 'refunded', `refunded bank charge ${c.reference}`);
  }
});
