// Calls to the services: round-robin over instances, retries with backoff on what may pass,
// the breaker that opens and then answers 503 at once, timeouts and the bulkhead. The
// upstreams here are stand-ins that misbehave on purpose (a real service cannot be told to).
import { dropNamespace, uniqueNamespace } from '@hopscope/demo-shared/testing';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { type StubServer, call, errorOf, startGateway, stubServer } from './helpers.ts';

const namespaces: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  for (const ns of namespaces) await dropNamespace(ns);
});

async function gatewayWith(upstreams: Parameters<typeof startGateway>[1], extra: Record<string, string> = {}) {
  const ns = uniqueNamespace();
  namespaces.push(ns);
  const gateway = await startGateway(ns, upstreams, extra);
  cleanups.push(() => gateway.stop());
  return gateway;
}

async function stub(routes: Parameters<typeof stubServer>[0]): Promise<StubServer> {
  const server = await stubServer(routes);
  cleanups.push(() => server.close());
  return server;
}

const catalog = { products: [{ sku: 'espresso-beans', name: 'Espresso beans', priceCents: 1890, stock: 10 }] };

test('calls alternate between the instances of a service (round-robin)', async () => {
  const first = await stub((app) => app.get('/products', (_req, res) => void res.json(catalog)));
  const second = await stub((app) => app.get('/products', (_req, res) => void res.json(catalog)));
  const gateway = await gatewayWith({ inventory: `${first.url},${second.url}` });
  for (let i = 0; i < 6; i++) assert.equal((await call(`${gateway.url}/api/products`)).status, 200);
  assert.equal(first.requests.length, 3);
  assert.equal(second.requests.length, 3);
});

test('a failing upstream is retried, then its breaker opens and answers 503 at once', async () => {
  const failing = await stub((app) =>
    app.get('/products', (_req, res) => void res.status(503).json({ error: { code: 'down', message: 'down' } })),
  );
  const gateway = await gatewayWith(
    { inventory: failing.url },
    { GATEWAY_BREAKER_FAILURES: '5', GATEWAY_BREAKER_HALF_OPEN_AFTER_MS: '60000' },
  );
  const url = `${gateway.url}/api/products`;

  const first = await call(url);
  assert.equal(first.status, 503);
  assert.equal(errorOf(first).code, 'upstream_unavailable');
  assert.match(errorOf(first).message, /inventory answered 503/);
  assert.equal(failing.requests.length, 3, 'one call and two retries');

  // Two more failures (5 in a row) open the breaker during the second call's retries.
  const second = await call(url);
  assert.equal(second.status, 503);
  assert.equal(failing.requests.length, 5);

  const started = performance.now();
  const rejected = await call(url);
  const elapsed = performance.now() - started;
  assert.equal(rejected.status, 503);
  assert.match(errorOf(rejected).message, /inventory is unavailable: its circuit breaker is open/);
  assert.equal(rejected.headers.get('retry-after'), '60');
  assert.equal(failing.requests.length, 5, 'the open breaker does not call the upstream');
  assert.ok(elapsed < 200, `answered in ${elapsed.toFixed(0)} ms`);
});

test('the breaker lets a test call through after halfOpenAfter and closes when it succeeds', async () => {
  let healthy = false;
  const flaky = await stub((app) =>
    app.get('/products', (_req, res) => void (healthy ? res.json(catalog) : res.status(502).end())),
  );
  const gateway = await gatewayWith(
    { inventory: flaky.url },
    { GATEWAY_BREAKER_FAILURES: '3', GATEWAY_BREAKER_HALF_OPEN_AFTER_MS: '300' },
  );
  const url = `${gateway.url}/api/products`;
  assert.equal((await call(url)).status, 503); // 3 failures: open
  assert.match(errorOf(await call(url)).message, /circuit breaker is open/);
  healthy = true;
  await sleep(350);
  assert.equal((await call(url)).status, 200);
  assert.equal((await call(url)).status, 200);
});

test('a 4xx from a service is its answer, passed on, neither retried nor counted against the breaker', async () => {
  const orders = await stub((app) =>
    app.post(
      '/orders/:id/cancel',
      (_req, res) => void res.status(409).json({ error: { code: 'not_cancellable', message: 'pending' } }),
    ),
  );
  const gateway = await gatewayWith({ orders: orders.url }, { GATEWAY_BREAKER_FAILURES: '2' });
  const { signIn } = await import('./helpers.ts');
  const token = await signIn(gateway.url, 'alice');
  for (let i = 0; i < 4; i++) {
    const response = await call(`${gateway.url}/api/orders/o-1/cancel`, { method: 'POST', token });
    assert.equal(response.status, 409);
    assert.deepEqual(response.body, { error: { code: 'not_cancellable', message: 'pending' } });
  }
  assert.equal(orders.requests.length, 4);
  assert.equal(orders.requests[0].headers['x-customer'], 'alice');
});

test('a slow upstream times out per attempt: 503 naming it, after the retries', async () => {
  const slow = await stub((app) =>
    app.get('/products', async (_req, res) => {
      await sleep(1000);
      if (!res.headersSent) res.json(catalog);
    }),
  );
  const gateway = await gatewayWith({ inventory: slow.url }, { GATEWAY_UPSTREAM_TIMEOUT_MS: '100' });
  const started = performance.now();
  const response = await call(`${gateway.url}/api/products`);
  const elapsed = performance.now() - started;
  assert.equal(response.status, 503);
  assert.equal(errorOf(response).code, 'upstream_timeout');
  assert.match(errorOf(response).message, /inventory did not answer within 100 ms/);
  assert.equal(slow.requests.length, 3);
  assert.ok(elapsed < 900, `gave up after ${elapsed.toFixed(0)} ms`);
});

test('a full bulkhead rejects at once with 503', async () => {
  const release: (() => void)[] = [];
  const stuck = await stub((app) =>
    app.get('/products', async (_req, res) => {
      await new Promise<void>((resolve) => release.push(resolve));
      res.json(catalog);
    }),
  );
  const gateway = await gatewayWith(
    { inventory: stuck.url },
    { GATEWAY_BULKHEAD_SLOTS: '1', GATEWAY_BULKHEAD_QUEUE: '1', GATEWAY_UPSTREAM_TIMEOUT_MS: '5000' },
  );
  const url = `${gateway.url}/api/products`;
  const running = call(url);
  const queued = call(url);
  while (stuck.requests.length < 1) await sleep(10);
  const rejected = await call(url);
  assert.equal(rejected.status, 503);
  assert.equal(errorOf(rejected).code, 'upstream_busy');
  assert.match(errorOf(rejected).message, /inventory is busy/);
  while (release.length < 1) await sleep(10);
  release.shift()?.();
  while (release.length < 1) await sleep(10);
  release.shift()?.();
  assert.equal((await running).status, 200);
  assert.equal((await queued).status, 200);
});
