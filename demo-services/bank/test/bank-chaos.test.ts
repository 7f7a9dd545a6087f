// The bank's own chaos knobs as an operator and the payments service meet them: only the bank
// takes them; a timeout takes the money and holds the answer (payments times out, and refunds
// by reference to be sure); a 5xx burst fails the next calls, then turns itself off (gauge and
// log say so); a slow bank is slow and still answers.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningService, startService } from '@hopscope/demo-shared';
import { shutdown, start } from '@hopscope/instrumentation';
import {
  TestBroker,
  dropNamespace,
  eventually,
  testDatabase,
  testEnv,
  uniqueNamespace,
} from '@hopscope/demo-shared/testing';
import type pg from 'pg';
import { payments } from '../../payments/src/app.ts';
import { bank } from '../src/app.ts';

// The package's registry, so that the bank's /metrics serves the gauge in-process.
start({ serviceName: 'bank-chaos-test', env: { OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' } });

const TOKEN = 'a-test-token-of-32-characters-xx';
const CALM = { BANK_FAILURE_RATE: '0', BANK_LATENCY_MS: '0', BANK_JITTER_MS: '0' };
const ns = uniqueNamespace();
const cleanup: Array<() => Promise<unknown>> = [];
let service: RunningService;
let db: pg.Pool;

before(async () => {
  service = await startService(bank, testEnv(ns, { ...CALM, HOPSCOPE_CHAOS_TOKEN: TOKEN, HOPSCOPE_CHAOS_PORT: '0' }));
  cleanup.push(() => service.stop());
  await service.ready;
  db = testDatabase(ns, 'bank');
  cleanup.push(() => db.end());
});
after(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  await dropNamespace(ns);
  await shutdown();
});

function admin(base: RunningService, method: string, fault: string, body?: unknown) {
  return fetch(`${base.chaosUrl ?? assert.fail('no chaos admin API')}/faults/${fault}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function charge(reference: string, signal?: AbortSignal) {
  return fetch(`${service.url}/charges`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reference, amountCents: 700 }),
    signal,
  });
}

async function ledger(reference: string): Promise<Array<{ amount_cents: string; refunded: boolean }>> {
  const { rows } = await db.query<{ amount_cents: string; refunded: boolean }>(
    'SELECT amount_cents, refunded_at IS NOT NULL AS refunded FROM charges WHERE reference = $1',
    [reference],
  );
  return rows;
}

async function gauge(fault: string): Promise<number | undefined> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`hopscope_chaos_fault_active{fault="${fault}"}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

test('the bank lists its own knobs; out-of-range settings are a 400 naming the field', async () => {
  const listed = (await (await admin(service, 'GET', '')).json()) as { known: string[] };
  for (const knob of ['bank.timeout', 'bank.5xx-burst', 'bank.slow', 'http.latency']) {
    assert.ok(listed.known.includes(knob), knob);
    assert.equal(await gauge(knob), 0, `${knob} has a series at 0 before it is first turned on`);
  }
  const cases: Array<[string, unknown, string]> = [
    ['bank.timeout', { rate: 1.5 }, 'bank.timeout.rate'],
    ['bank.5xx-burst', {}, 'bank.5xx-burst.count'],
    ['bank.5xx-burst', { count: 0 }, 'bank.5xx-burst.count'],
    ['bank.5xx-burst', { count: 10_001 }, 'bank.5xx-burst.count'],
    ['bank.5xx-burst', { count: 2, status: 429 }, 'bank.5xx-burst.status'],
    ['bank.slow', { fixedMs: 60_001 }, 'bank.slow.fixedMs'],
    ['bank.slow', { seconds: 1 }, 'bank.slow.seconds'],
  ];
  for (const [fault, body, field] of cases) {
    const res = await admin(service, 'PUT', fault, body);
    assert.equal(res.status, 400, `${fault} ${JSON.stringify(body)}`);
    assert.equal(((await res.json()) as { error: { field: string } }).error.field, field);
  }
  const active = (await (await admin(service, 'GET', '')).json()) as { faults: unknown[] };
  assert.deepEqual(active.faults, [], 'a refused call changes nothing');
});

test('bank.5xx-burst fails exactly the next `count` calls with its status, taking nothing, then turns itself off', async () => {
  const set = await admin(service, 'PUT', 'bank.5xx-burst', { count: 3, status: 502 });
  assert.equal(set.status, 200);
  assert.equal(await gauge('bank.5xx-burst'), 1);
  const references = [randomUUID(), randomUUID(), randomUUID()];
  for (const reference of references) {
    const res = await charge(reference);
    assert.equal(res.status, 502);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'chaos_burst');
    assert.deepEqual(await ledger(reference), [], 'failed before the ledger');
  }
  const after = randomUUID();
  assert.equal((await charge(after)).status, 201, 'the burst is over');
  assert.equal(await gauge('bank.5xx-burst'), 0);
  const active = (await (await admin(service, 'GET', '')).json()) as { faults: unknown[] };
  assert.deepEqual(active.faults, []);
  // Refunds count too, and the default status is 503 ("try again later").
  assert.equal((await admin(service, 'PUT', 'bank.5xx-burst', { count: 1 })).status, 200);
  const refund = await fetch(`${service.url}/charges/${after}/refund`, { method: 'POST' });
  assert.equal(refund.status, 503);
  assert.deepEqual(await ledger(after), [{ amount_cents: '700', refunded: false }]);
  assert.equal(await gauge('bank.5xx-burst'), 0);
});

test('bank.slow delays every call by fixedMs plus up to jitterMs, and the call still succeeds', async () => {
  assert.equal((await admin(service, 'PUT', 'bank.slow', { fixedMs: 300, jitterMs: 200 })).status, 200);
  assert.equal(await gauge('bank.slow'), 1);
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const res = await charge(randomUUID());
    const took = performance.now() - started;
    assert.equal(res.status, 201);
    assert.ok(took >= 300 && took < 1500, `took ${took} ms`);
  }
  assert.equal((await admin(service, 'DELETE', 'bank.slow')).status, 200);
  const started = performance.now();
  assert.equal((await charge(randomUUID())).status, 201);
  assert.ok(performance.now() - started < 300, 'fast again');
  assert.equal(await gauge('bank.slow'), 0);
});

test('bank.timeout takes the charge but holds the answer past the caller timeout; turned off, held calls are answered', async () => {
  assert.equal((await admin(service, 'PUT', 'bank.timeout', {})).status, 200, 'rate defaults to 1');
  assert.equal(await gauge('bank.timeout'), 1);
  const reference = randomUUID();
  await assert.rejects(charge(reference, AbortSignal.timeout(800)), { name: 'TimeoutError' });
  assert.deepEqual(await ledger(reference), [{ amount_cents: '700', refunded: false }], 'the money was taken');

  // A caller that does not give up gets its answer once the knob is turned off.
  const patient = randomUUID();
  const pending = charge(patient);
  await eventually('the patient charge taken', async () => ((await ledger(patient)).length === 1 ? true : undefined));
  const race = await Promise.race([pending.then(() => 'answered'), new Promise((r) => setTimeout(r, 500, 'held'))]);
  assert.equal(race, 'held');
  assert.equal((await admin(service, 'DELETE', 'bank.timeout')).status, 200);
  assert.equal((await pending).status, 201);
  assert.equal(await gauge('bank.timeout'), 0);

  // rate 0: on, but no call is held.
  assert.equal((await admin(service, 'PUT', 'bank.timeout', { rate: 0 })).status, 200);
  assert.equal((await charge(randomUUID(), AbortSignal.timeout(2000))).status, 201);
  assert.equal((await admin(service, 'DELETE', 'bank.timeout')).status, 200);
});

test('payments meets bank.timeout as timeouts: charge outcome unknown, refunded by reference once the bank answers; payments refuses the bank knob', async () => {
  const paymentsService = await startService(
    payments,
    testEnv(ns, {
      BANK_URL: service.url,
      PAYMENTS_BANK_TIMEOUT_MS: '300',
      PAYMENTS_REFUND_RETRY_MS: '100',
      HOPSCOPE_CHAOS_TOKEN: TOKEN,
      HOPSCOPE_CHAOS_PORT: '0',
    }),
  );
  cleanup.push(() => paymentsService.stop());
  await paymentsService.ready;
  const refused = await admin(paymentsService, 'PUT', 'bank.timeout', {});
  assert.equal(refused.status, 400);
  const { error } = (await refused.json()) as { error: { field: string; message: string } };
  assert.equal(error.field, 'bank.timeout');
  assert.match(error.message, /unknown fault "bank\.timeout" on payments/);

  const broker = await TestBroker.connect(ns);
  cleanup.push(() => broker.close());
  await broker.probe('commands', ['orders.saga-reply']);
  const paymentsDb = testDatabase(ns, 'payments');
  cleanup.push(() => paymentsDb.end());

  assert.equal((await admin(service, 'PUT', 'bank.timeout', { rate: 1 })).status, 200);
  const orderId = randomUUID();
  broker.publish('commands', 'payments.charge', {
    v: 1,
    sagaId: `saga-${orderId}`,
    orderId,
    customer: 'alice',
    amountCents: 700,
  });
  const reply = await broker.waitFor('orders.saga-reply', (body) => body['orderId'] === orderId, 15_000);
  assert.equal(reply.body['ok'], false);
  assert.match(String(reply.body['reason']), /no answer within 300 ms/, JSON.stringify(reply.body));
  // The bank took the money though payments never heard back (the refund by reference that
  // payments sent at once reached the bank too, and is just as unanswered).
  assert.equal((await ledger(orderId))[0]?.amount_cents, '700', 'taken, though unanswered');
  const paymentStatus = async () => {
    const { rows } = await paymentsDb.query<{ status: string }>('SELECT status FROM payments WHERE order_id = $1', [
      orderId,
    ]);
    return rows[0]?.status;
  };
  await sleep(1000);
  assert.equal(await paymentStatus(), 'refund_pending', 'the refunds time out too while the knob is on');

  assert.equal((await admin(service, 'DELETE', 'bank.timeout')).status, 200);
  await eventually(
    'the unknown charge refunded',
    async () => ((await paymentStatus()) === 'refunded' ? true : undefined),
    30_000,
  );
  assert.deepEqual(await ledger(orderId), [{ amount_cents: '700', refunded: true }]);
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('the bank as its own process: the burst that ends by itself is logged (who, what, when); BANK_FAILURE_RATE still works', async () => {
  const chaosPort = await freePort();
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      ...testEnv(ns, {
        BANK_FAILURE_RATE: '1',
        BANK_LATENCY_MS: '0',
        BANK_JITTER_MS: '0',
        HOPSCOPE_CHAOS_TOKEN: TOKEN,
        HOPSCOPE_CHAOS_PORT: String(chaosPort),
      }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanup.push(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const lines = () =>
    output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const ready = await eventually('the bank ready', () => Promise.resolve(lines().find((l) => l['msg'] === 'ready')));
  assert.ok(ready);
  const port = lines().find((l) => l['msg'] === 'listening')?.['port'];
  const url = `http://127.0.0.1:${String(port)}`;
  const call = () =>
    fetch(`${url}/charges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reference: randomUUID(), amountCents: 1 }),
    });

  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const set = await fetch(`http://127.0.0.1:${chaosPort}/faults/bank.5xx-burst`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ count: 2, status: 500 }),
  });
  assert.equal(set.status, 200);
  assert.equal((await call()).status, 500);
  assert.equal((await call()).status, 500);
  // The burst is over: the env-configured flakiness (every call 503) is what remains.
  assert.equal((await call()).status, 503);

  const setLine = lines().find((l) => l['msg'] === 'chaos fault set' && l['fault'] === 'bank.5xx-burst');
  assert.ok(setLine, output);
  assert.deepEqual(setLine['settings'], { count: 2, status: 500 });
  assert.match(String(setLine['who']), /127\.0\.0\.1/);
  const cleared = await eventually('the burst cleared line', () =>
    Promise.resolve(lines().find((l) => l['msg'] === 'chaos fault cleared' && l['fault'] === 'bank.5xx-burst')),
  );
  assert.equal(cleared['who'], 'bank');
  assert.match(String(cleared['reason']), /2 failed calls/);
  assert.ok(!Number.isNaN(Date.parse(String(cleared['at']))));
});
