// The demo's infrastructure faults as a chaos user sets them, through the runner's infra admin
// API, against the real RabbitMQ, PostgreSQL, collector and Jaeger: what each fault does is
// checked where a user would see it (the services' /readyz, the shop's orders, a request's
// time, the collector's port, a trace in Jaeger, the processes' ids), and that clearing it
// restores the demo. The services' own admin APIs are checked to need the token too.
import assert from 'node:assert/strict';
import test from 'node:test';
import { alive, portInUse } from '../../stack/runner.ts';
import { PORTS } from '../../stack/ports.ts';
import { jaegerTrace } from './helpers/backends.ts';
import { useDemo } from './helpers/demo.ts';
import { eventually } from './helpers/eventually.ts';
import { ShopClient } from './helpers/shop-client.ts';

const said: string[] = [];
const { system, sql } = useDemo({
  chaos: true,
  // Every order that can be confirmed is: the outcomes below depend on the faults alone.
  serviceEnv: { bank: { BANK_FAILURE_RATE: '0' } },
  say: (line) => said.push(line),
});
const endpoints = () => system().endpoints();
const chaos = () => {
  const settings = endpoints().chaos;
  assert.ok(settings, 'endpoints() has the chaos settings');
  return settings;
};

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** A call on an admin API; `token` null = none sent. */
async function admin(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = chaos().token,
): Promise<Reply> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const infra = (method: string, path: string, body?: unknown, token?: string | null) =>
  admin(chaos().infra, method, path, body, token);

async function readyz(baseUrl: string): Promise<Reply> {
  const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The services without a broker connection (the gateway calls over HTTP only; the bank is "outside"). */
const BROKERLESS = ['gateway', 'bank'];

/** Every instance of every service that talks to the broker. */
const brokerUsers = () =>
  Object.entries(endpoints().instances)
    .filter(([name]) => !BROKERLESS.includes(name))
    .flatMap(([, urls]) => urls);

function untilReady(urls: string[], timeoutMs = 60_000): Promise<true> {
  return eventually(
    `${urls.join(', ')} ready`,
    async () => ((await Promise.all(urls.map(readyz))).every((r) => r.status === 200) ? true : undefined),
    timeoutMs,
  );
}

const placeOne = async (client: ShopClient) => {
  const placed = await client.placeOrder([{ sku: 'espresso-beans', quantity: 1 }]);
  assert.equal(placed.status, 202, JSON.stringify(placed.body));
  return placed;
};

test('the infra admin API refuses calls without the right token, changing nothing, and names a bad fault or value', async () => {
  for (const token of [null, 'not-the-token-but-long-enough']) {
    const refused = await infra('PUT', '/faults/broker.down', {}, token);
    assert.equal(refused.status, 401);
    assert.equal((refused.body['error'] as { code: string }).code, 'unauthorized');
    assert.equal((await infra('DELETE', '/faults', undefined, token)).status, 401);
  }
  assert.deepEqual((await infra('GET', '/faults')).body['faults'], []);
  assert.equal((await readyz(endpoints().services['orders'])).body['broker'], 'up', 'the broker is still reachable');
  assert.ok(
    said.some((line) => /infra admin call refused .*PUT \/faults\/broker\.down from 127\.0\.0\.1/.test(line)),
    'the refused call is logged',
  );

  const bad: Array<[string, unknown, string]> = [
    ['broker.dwn', {}, 'broker.dwn'],
    ['broker.down', { seconds: 30 }, 'broker.down.seconds'],
    ['database.slow', { service: 'orders', latencyMs: -5 }, 'database.slow.latencyMs'],
    ['database.slow', { service: 'orders' }, 'database.slow.latencyMs'],
    ['database.down', { service: 'warehouse' }, 'database.down.service'],
    ['process.kill', {}, 'process.kill.service'],
  ];
  for (const [name, settings, field] of bad) {
    const reply = await infra('PUT', `/faults/${name}`, settings);
    assert.equal(reply.status, 400, `${name} ${JSON.stringify(settings)}`);
    const error = reply.body['error'] as { code: string; field: string; message: string };
    assert.equal(error.code, 'invalid_fault');
    assert.equal(error.field, field);
    assert.match(error.message, new RegExp(name.replace('.', '\\.')));
  }
  assert.equal((await infra('DELETE', '/faults/database.down?service=warehouse')).status, 400);
  assert.deepEqual((await infra('GET', '/faults')).body['faults'], [], 'no bad call turned anything on');
});

test("every service instance's own chaos admin API answers 401 without the token and 200 with it", async () => {
  const urls = Object.values(chaos().services).flat();
  assert.equal(urls.length, 9, 'nine instances');
  for (const url of urls) {
    assert.equal((await admin(url, 'GET', '/faults', undefined, null)).status, 401, url);
    const reply = await admin(url, 'GET', '/faults');
    assert.equal(reply.status, 200, url);
    assert.deepEqual(reply.body['faults'], [], url);
  }
});

test('broker.down: every service sees the broker down, orders placed meanwhile wait in the outbox and complete once it is back', async () => {
  const alice = await ShopClient.signIn(endpoints().gateway, 'alice');
  const set = await infra('PUT', '/faults/broker.down', {});
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.deepEqual(
    (set.body['faults'] as Array<{ name: string }>).map((f) => f.name),
    ['broker.down'],
  );
  await eventually(
    'every service with a broker connection reporting the broker down in /readyz',
    async () => {
      const replies = await Promise.all(brokerUsers().map(readyz));
      return replies.every((r) => r.status === 503 && r.body['broker'] === 'down') ? true : undefined;
    },
    30_000,
  );
  for (const name of BROKERLESS) assert.equal((await readyz(endpoints().services[name])).status, 200, name);

  const placed = await Promise.all([1, 2, 3].map(() => placeOne(alice)));
  const ids = placed.map((p) => p.body.orderId);
  const waiting = await sql<{ pending: string }>(
    'orders',
    'SELECT count(*) AS pending FROM outbox WHERE sent_at IS NULL',
  );
  assert.ok(Number(waiting[0].pending) >= ids.length, `${waiting[0].pending} messages wait in the orders outbox`);

  const cleared = await infra('DELETE', '/faults/broker.down');
  assert.equal(cleared.status, 200);
  assert.deepEqual(cleared.body['faults'], []);
  for (const id of ids) {
    const order = await alice.waitForStatus(id, ['confirmed', 'cancelled', 'failed'], 90_000);
    assert.equal(order['status'], 'confirmed', `order ${id}`);
  }
  await untilReady(brokerUsers());
  assert.ok(said.some((line) => /127\.0\.0\.1 set infra fault broker\.down \{\} at \d{4}-\d\d-\d\dT/.test(line)));
  assert.ok(said.some((line) => /127\.0\.0\.1 cleared infra fault broker\.down/.test(line)));
});

test('database.slow slows that service by the latency; database.down makes it unready until cleared', async (t) => {
  const inventory = endpoints().services['inventory'];
  const timedProducts = async () => {
    const started = performance.now();
    const response = await fetch(`${inventory}/products`, { signal: AbortSignal.timeout(30_000) });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    return performance.now() - started;
  };
  const fastest = async () => Math.min(await timedProducts(), await timedProducts(), await timedProducts());
  const before = await fastest();
  assert.equal((await infra('PUT', '/faults/database.slow', { service: 'inventory', latencyMs: 300 })).status, 200);
  const slow = await fastest();
  assert.equal((await infra('DELETE', '/faults/database.slow?service=inventory')).status, 200);
  const after = await fastest();
  t.diagnostic(
    `GET inventory /products: ${before.toFixed(0)} ms, slow ${slow.toFixed(0)} ms, after ${after.toFixed(0)} ms`,
  );
  // A query is one round trip: 300 ms there and 300 ms back.
  assert.ok(slow >= before + 550, `slowed by the latency: ${slow} ms vs ${before} ms`);
  assert.ok(after < before + 250, `fast again: ${after} ms`);

  const shipping = endpoints().services['shipping'];
  assert.equal((await infra('PUT', '/faults/database.down', { service: 'shipping' })).status, 200);
  await eventually(
    'shipping reporting its database down',
    async () => {
      const reply = await readyz(shipping);
      return reply.status === 503 && reply.body['database'] === 'down' ? true : undefined;
    },
    20_000,
  );
  assert.equal((await readyz(endpoints().services['orders'])).status, 200, 'orders keeps its database');
  assert.equal((await infra('DELETE', '/faults/database.down')).status, 200);
  await untilReady([shipping], 30_000);
});

test('collector.down stops the collector; cleared, it is back and a new trace reaches Jaeger', async () => {
  const alice = await ShopClient.signIn(endpoints().gateway, 'alice');
  assert.equal((await infra('PUT', '/faults/collector.down', {})).status, 200);
  assert.equal(await portInUse(PORTS.collectorOtlpHttp), false, 'the collector port refuses');
  // The shop keeps serving without its telemetry pipeline.
  await placeOne(alice);
  const cleared = await infra('DELETE', '/faults/collector.down');
  assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
  assert.equal(await portInUse(PORTS.collectorOtlpHttp), true, 'the collector listens again');
  const placed = await placeOne(alice);
  assert.ok(placed.traceId);
  await eventually(
    `trace ${placed.traceId} in Jaeger`,
    async () => ((await jaegerTrace(placed.traceId!))?.spans.length ? true : undefined),
    60_000,
  );
});

test('process.kill SIGKILLs every instance of a service, reporting the pids; the supervisor brings it back', async () => {
  const instances = system().instances.get('order-view')!;
  const before = instances.map((instance) => instance.pid);
  const reply = await infra('PUT', '/faults/process.kill', { service: 'order-view' });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  const killed = reply.body['killed'] as Array<{ instance: string; pid: number }>;
  assert.deepEqual(killed.map((k) => k.pid).sort(), [...before].sort(), 'the reply names the pids it killed');
  assert.deepEqual(
    killed.map((k) => k.instance),
    ['order-view-1', 'order-view-2'],
  );
  assert.deepEqual(reply.body['faults'], [], 'a kill is not a fault left on');
  const until = (what: string, holds: () => boolean) =>
    eventually(what, () => Promise.resolve(holds() ? true : undefined));
  await until('the killed processes gone', () => killed.every((k) => !alive(k.pid)));
  await until('new order-view processes', () =>
    instances.every((instance, i) => instance.pid !== undefined && instance.pid !== before[i]),
  );
  await untilReady(endpoints().instances['order-view']);
});
