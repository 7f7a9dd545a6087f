// The chaos knobs as an operator uses them: the admin API (off without its token, refusing
// bad calls without changing anything), each knob's effect on the service's own routes and
// message handlers, the gauge a dashboard annotates from, and the crash that ends the process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { shutdown, start } from '@hopscope/instrumentation';
import amqp from 'amqplib';
import express from 'express';
import { type Message, type ServiceDefinition, startService } from '../src/index.ts';
import { ConfigError, readChaosConfig } from '../src/config.ts';
import { TEST_AMQP_URL, TestBroker, dropNamespace, eventually, testEnv, uniqueNamespace } from '../src/testing.ts';

// The package's registry, so that /metrics of the service under test serves the gauge in-process.
start({ serviceName: 'chaos-test', env: { OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' } });

const TOKEN = 'a-test-token-of-32-characters-xx';
const ns = uniqueNamespace();
const cleanup: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  await dropNamespace(ns);
  await shutdown();
});

const handled: string[] = [];
/** When each order id was handled (performance.now()). */
const handledAt = new Map<string, number>();
const probe: ServiceDefinition = {
  name: 'probe',
  migrations: [],
  build({ amqp }) {
    amqp.consume('shipping.events', {
      'order.confirmed': (body: Message<'order.confirmed'>) => {
        handled.push(body.orderId);
        handledAt.set(body.orderId, performance.now());
        return Promise.resolve();
      },
    });
    const routes = express.Router();
    routes.get('/ping', (_req, res) => {
      res.json({ pong: true });
    });
    return { routes };
  },
};

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const service = await startService(probe, testEnv(ns, { HOPSCOPE_CHAOS_TOKEN: TOKEN, HOPSCOPE_CHAOS_PORT: '0' }));
cleanup.push(() => service.stop());
const admin = service.chaosUrl ?? assert.fail('the chaos admin API did not start');

/** token null: no Authorization header at all. */
function call(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  return fetch(`${admin}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
async function activeFaults(): Promise<string[]> {
  const res = await call('GET', '/faults');
  assert.equal(res.status, 200);
  return ((await res.json()) as { faults: Array<{ name: string }> }).faults.map((f) => f.name);
}
async function gauge(fault: string): Promise<number | undefined> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`hopscope_chaos_fault_active{fault="${fault}"}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}
const ping = () => fetch(`${service.url}/ping`);

test('the admin API needs a real token and its own port; bad settings stop the service at startup', () => {
  assert.throws(
    () => readChaosConfig({ HOPSCOPE_CHAOS_TOKEN: 'short', HOPSCOPE_CHAOS_PORT: '1' }),
    (e: unknown) => e instanceof ConfigError && /HOPSCOPE_CHAOS_TOKEN/.test(e.message),
  );
  assert.throws(
    () => readChaosConfig({ HOPSCOPE_CHAOS_TOKEN: TOKEN, HOPSCOPE_CHAOS_PORT: '70000' }),
    /HOPSCOPE_CHAOS_PORT/,
  );
  assert.throws(() => readChaosConfig({ HOPSCOPE_CHAOS_TOKEN: TOKEN }), /HOPSCOPE_CHAOS_PORT is not set/);
  assert.equal(readChaosConfig({ HOPSCOPE_CHAOS_PORT: '1234' }), undefined);
  assert.equal(readChaosConfig({ HOPSCOPE_CHAOS_TOKEN: TOKEN, HOPSCOPE_CHAOS_PORT: '1234' })?.host, '127.0.0.1');
});

test('without HOPSCOPE_CHAOS_TOKEN the admin port is not listening', async () => {
  const port = await freePort();
  const off = await startService(
    { name: 'nochaos', migrations: [], usesBroker: false, build: () => ({}) },
    testEnv(ns, { HOPSCOPE_CHAOS_PORT: String(port) }),
  );
  cleanup.push(() => off.stop());
  await off.ready;
  assert.equal(off.chaosUrl, undefined);
  assert.equal(await listening(port), false);
});

test('a missing or wrong token is refused with 401 and changes nothing', async () => {
  await service.ready;
  for (const token of [null, 'wrong-token-wrong-token-wrong']) {
    const put = await call('PUT', '/faults/http.down', {}, token);
    assert.equal(put.status, 401);
    assert.equal(((await put.json()) as { error: { code: string } }).error.code, 'unauthorized');
    assert.equal((await call('GET', '/faults', undefined, token)).status, 401);
  }
  assert.deepEqual(await activeFaults(), []);
  assert.equal((await ping()).status, 200);
});

test('an unknown fault or an out-of-range value is a 400 naming it, and changes nothing', async () => {
  const cases: Array<[string, unknown, string]> = [
    ['/faults/disk.full', {}, 'disk.full'],
    ['/faults/http.latency', { fixedMs: 60_001 }, 'http.latency.fixedMs'],
    ['/faults/http.error-rate', { rate: 1.5 }, 'http.error-rate.rate'],
    ['/faults/http.error-rate', { rate: 1, status: 404 }, 'http.error-rate.status'],
    ['/faults/http.error-rate', {}, 'http.error-rate.rate'],
    ['/faults/slow-consumer', { delayMs: -1 }, 'slow-consumer.delayMs'],
    ['/faults/http.down', { when: 'now' }, 'http.down.when'],
  ];
  for (const [path, body, field] of cases) {
    const res = await call('PUT', path, body);
    assert.equal(res.status, 400, path);
    const { error } = (await res.json()) as { error: { field: string; message: string } };
    assert.equal(error.field, field);
    assert.ok(error.message.includes(field.split('.').at(-1) ?? field), error.message);
  }
  assert.equal((await call('DELETE', '/faults/disk.full')).status, 400);
  assert.deepEqual(await activeFaults(), []);
});

test('http.latency delays every route by at least fixedMs; the gauge shows it on, then off', async () => {
  assert.equal(await gauge('http.latency'), 0);
  const set = await call('PUT', '/faults/http.latency', { fixedMs: 400, jitterMs: 50 });
  assert.equal(set.status, 200);
  const body = (await set.json()) as { fault: { name: string; settings: unknown; since: string } };
  assert.deepEqual(body.fault.settings, { fixedMs: 400, jitterMs: 50 });
  assert.ok(Date.now() - Date.parse(body.fault.since) < 5000);
  assert.equal(await gauge('http.latency'), 1);
  const started = performance.now();
  assert.equal((await ping()).status, 200);
  assert.ok(performance.now() - started >= 400, 'delayed');
  assert.equal((await call('DELETE', '/faults/http.latency')).status, 200);
  assert.equal(await gauge('http.latency'), 0);
  assert.deepEqual(await activeFaults(), []);
});

test('http.latency jitter spreads the delays over fixedMs..fixedMs+jitterMs', async () => {
  assert.equal((await call('PUT', '/faults/http.latency', { fixedMs: 200, jitterMs: 400 })).status, 200);
  const took = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const started = performance.now();
      assert.equal((await ping()).status, 200);
      return performance.now() - started;
    }),
  );
  assert.equal((await call('DELETE', '/faults/http.latency')).status, 200);
  assert.ok(Math.min(...took) >= 200, `at least fixedMs: ${took.join(', ')}`);
  assert.ok(Math.max(...took) < 600 + 300, `at most fixedMs + jitterMs (and some slack): ${took.join(', ')}`);
  // Ten uniform draws over 400 ms all within 45 ms of each other: odds below one in a million.
  assert.ok(Math.max(...took) - Math.min(...took) > 45, `jittered: ${took.join(', ')}`);
});

test('http.error-rate at 1 fails every route with its status; cleared, they answer again', async () => {
  assert.equal((await call('PUT', '/faults/http.error-rate', { rate: 1, status: 502 })).status, 200);
  for (let i = 0; i < 5; i++) assert.equal((await ping()).status, 502);
  assert.equal((await fetch(`${service.url}/healthz`)).status, 200, 'probes are not affected');
  assert.equal((await call('DELETE', '/faults')).status, 200);
  assert.equal((await ping()).status, 200);
});

test('http.down answers 503 to every route until cleared', async () => {
  assert.equal((await call('PUT', '/faults/http.down')).status, 200);
  const res = await ping();
  assert.equal(res.status, 503);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'chaos_down');
  assert.equal((await fetch(`${service.url}/readyz`)).status, 200, 'the process itself is ready');
  assert.equal((await call('DELETE', '/faults/http.down')).status, 200);
  assert.equal((await ping()).status, 200);
});

const broker = await TestBroker.connect(ns);
cleanup.push(() => broker.close());
// The broker's view of the consumer's queue (ready messages, consumers).
const inspector = await amqp.connect(TEST_AMQP_URL);
cleanup.push(() => inspector.close());
const inspect = await inspector.createChannel();
const queueState = () => inspect.checkQueue(`${ns}.shipping.events`);
const confirmed = (orderId: string) => ({ v: 1, orderId, customer: 'alice', amountCents: 100, paymentId: 'p' });

test('messages.down: the consumer takes its prefetch of messages and holds them unacked, the rest wait in the queue', async () => {
  assert.equal((await call('PUT', '/faults/messages.down', {})).status, 200);
  assert.equal(await gauge('messages.down'), 1);
  const orderIds = Array.from({ length: 20 }, () => randomUUID());
  for (const orderId of orderIds) broker.publishEvent('order.confirmed', confirmed(orderId));
  // 16 (the prefetch) delivered and held unacked; the other 4 stay ready on the broker.
  const state = await eventually('the queue settled at 4 ready', async () => {
    const q = await queueState();
    return q.messageCount === 4 ? q : undefined;
  });
  assert.equal(state.consumerCount, 1, 'the consumer is still there: stuck, not gone');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal((await queueState()).messageCount, 4);
  assert.equal(orderIds.filter((id) => handled.includes(id)).length, 0, 'none handled while down');
  assert.equal((await call('DELETE', '/faults/messages.down')).status, 200);
  await eventually(
    'all handled once cleared',
    () => Promise.resolve(orderIds.every((id) => handled.includes(id)) || undefined),
    10_000,
  );
  assert.equal((await queueState()).messageCount, 0);
});

test('messages.latency delays each message by fixedMs plus up to jitterMs before its handler', async () => {
  assert.equal((await call('PUT', '/faults/messages.latency', { fixedMs: 300, jitterMs: 400 })).status, 200);
  const orderIds = Array.from({ length: 10 }, () => randomUUID());
  const started = performance.now();
  for (const orderId of orderIds) broker.publishEvent('order.confirmed', confirmed(orderId));
  await eventually('all handled', () => Promise.resolve(orderIds.every((id) => handledAt.has(id)) || undefined));
  assert.equal((await call('DELETE', '/faults/messages.latency')).status, 200);
  const waited = orderIds.map((id) => (handledAt.get(id) ?? 0) - started);
  assert.ok(Math.min(...waited) >= 300, `at least fixedMs: ${waited.join(', ')}`);
  assert.ok(Math.max(...waited) < 700 + 500, `at most fixedMs + jitterMs (and some slack): ${waited.join(', ')}`);
  assert.ok(Math.max(...waited) - Math.min(...waited) > 45, `jittered: ${waited.join(', ')}`);
});

test('messages.error-rate at 1 sends a message down the real poison path: retried, then dead-lettered with the reason', async () => {
  await broker.watchDeadLetters('shipping.events');
  assert.equal((await call('PUT', '/faults/messages.error-rate', { rate: 1 })).status, 200);
  const orderId = randomUUID();
  broker.publishEvent('order.confirmed', confirmed(orderId));
  const dead = await broker.waitFor('order.confirmed', (body) => body['orderId'] === orderId, 20_000);
  assert.match(String(dead.headers['x-hopscope-dead-letter-reason']), /messages\.error-rate/);
  assert.equal(handled.includes(orderId), false);
  assert.equal((await call('DELETE', '/faults/messages.error-rate')).status, 200);
});

test('slow-consumer lets one message through per delayMs: the queue backs up, and drains once cleared', async () => {
  assert.equal((await call('PUT', '/faults/slow-consumer', { delayMs: 300 })).status, 200);
  const orderIds = Array.from({ length: 30 }, () => randomUUID());
  const started = performance.now();
  for (const orderId of orderIds) broker.publishEvent('order.confirmed', confirmed(orderId));
  // In a second and a half, about 5 handled: one per 300 ms, not the prefetch's 16 side by side.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const early = orderIds.filter((id) => handled.includes(id)).length;
  assert.ok(early >= 3 && early <= 6, `${early} handled in 1.5 s`);
  assert.ok((await queueState()).messageCount >= 30 - 16 - 6, 'the rest wait on the broker');
  const times = orderIds.flatMap((id) => handledAt.get(id) ?? []).sort((a, b) => a - b);
  for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 290, 'one at a time');
  assert.ok(times[0] - started >= 300, 'the first waited too');
  // Cleared: the ones in line go at once.
  assert.equal((await call('DELETE', '/faults')).status, 200);
  await eventually(
    'the backlog drained',
    () => Promise.resolve(orderIds.every((id) => handled.includes(id)) || undefined),
    3000,
  );
  assert.deepEqual(await activeFaults(), []);
});

test('crash: the process answers, logs who turned it on, and exits with code 1', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [fileURLToPath(new URL('fixtures/chaos-crash-service.ts', import.meta.url))], {
    env: { ...process.env, ...testEnv(ns, { HOPSCOPE_CHAOS_TOKEN: TOKEN, HOPSCOPE_CHAOS_PORT: String(port) }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanup.push(() => Promise.resolve(child.kill('SIGKILL')));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}/faults`;
  const headers = { authorization: `Bearer ${TOKEN}` };
  await eventually(
    'the admin API up',
    () =>
      fetch(url, { headers }).then(
        (r) => r.ok || undefined,
        () => undefined,
      ),
    15_000,
  );
  // Crash only once the service is ready: its database created, so that dropNamespace removes
  // it (a CREATE DATABASE still running when the test drops the namespace would outlive it).
  await eventually('the service ready', () => Promise.resolve(output.includes('"msg":"ready"') || undefined), 15_000);
  const res = await fetch(`${url}/crash`, { method: 'PUT', headers });
  assert.equal(res.status, 200);
  assert.equal(await exited, 1);
  const line = output.split('\n').find((l) => l.includes('chaos fault set'));
  assert.ok(line, output);
  const record = JSON.parse(line) as { fault: string; who: string; at: string };
  assert.equal(record.fault, 'crash');
  assert.match(record.who, /127\.0\.0\.1/);
  assert.ok(!Number.isNaN(Date.parse(record.at)));
});
