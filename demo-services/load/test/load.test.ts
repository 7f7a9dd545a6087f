// The load generator against a fake gateway on loopback: what it sends (and does not send),
// its mix, its bounds, and how it fails when there is no gateway.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { type LoadConfig, readLoadConfig } from '../src/config.ts';
import { LOAD_USER } from '../src/gateway-client.ts';
import { runLoad } from '../src/load.ts';
import { MIX, SCARCE_SKU, SKUS, badRequest, orderLines, pickAction } from '../src/mix.ts';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A gateway that answers like the real one for a well-behaved client, and records every request. */
async function fakeGateway() {
  const seen: Seen[] = [];
  let next = 0;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body: unknown = raw ? JSON.parse(raw) : undefined;
      const path = req.url ?? '';
      seen.push({ method: req.method ?? '', path, headers: req.headers, body });
      const reply = (status: number, json: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      if (path === '/auth/token') {
        const ok = (body as { username?: string }).username === LOAD_USER;
        if (ok) reply(200, { access_token: 'tok', token_type: 'Bearer', expires_in: 3600 });
        else reply(401, {});
        return;
      }
      if (req.headers.authorization !== 'Bearer tok') {
        reply(401, { error: { code: 'unauthorized' } });
        return;
      }
      if (req.method === 'POST' && path === '/api/orders') {
        const items = (body as { items: Array<{ sku: string; quantity: number }> }).items;
        const bad = !req.headers['idempotency-key'] || items.some((i) => i.quantity <= 0 || i.sku === 'no-such-sku');
        if (bad) reply(400, { error: { code: 'invalid' } });
        else reply(202, { orderId: `o${++next}`, status: 'pending' });
        return;
      }
      if (req.method === 'GET' && path === '/api/orders') reply(200, { orders: [] });
      else if (req.method === 'GET') reply(200, { orderId: path.split('/')[3], status: 'confirmed' });
      else if (req.method === 'POST' && path.endsWith('/cancel')) reply(202, { status: 'confirmed' });
      else reply(404, {});
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => server.close() };
}

function config(gatewayUrl: string, overrides: Partial<LoadConfig> = {}): LoadConfig {
  return {
    gatewayUrl,
    ratePerSecond: 40,
    durationMs: 3000,
    maxInFlight: 10,
    requestTimeoutMs: 2000,
    connectTimeoutMs: 0,
    ...overrides,
  };
}

test('signs in as load-generator, then sends a steady mix with no traceparent and no baggage', async (t) => {
  const gateway = await fakeGateway();
  t.after(() => gateway.close());
  const report = await runLoad(config(gateway.url), { log: () => {} });

  assert.equal(gateway.seen[0].path, '/auth/token');
  assert.deepEqual(gateway.seen[0].body, { username: LOAD_USER });
  const api = gateway.seen.slice(1);
  // 40/s for 3 s: 120 iterations, one request each.
  assert.equal(report.iterations, 120);
  assert.equal(api.length, 120);
  for (const request of gateway.seen) {
    assert.equal(request.headers.traceparent, undefined);
    assert.equal(request.headers.tracestate, undefined);
    assert.equal(request.headers.baggage, undefined);
  }
  for (const request of api) assert.equal(request.headers.authorization, 'Bearer tok');

  const keys = api.map((r) => r.headers['idempotency-key']).filter((k) => k !== undefined);
  assert.equal(new Set(keys).size, keys.length, 'every order gets a fresh Idempotency-Key');
  const placed = report.byAction['place'];
  assert.ok(placed.sent > 30 && placed.statuses['202'] === placed.sent);
  assert.ok(report.byAction['list'].sent > 5);
  // Reads and cancels only target orders this run placed, once they are 2 s old.
  const reads = api.filter((r) => r.method === 'GET' && r.path.startsWith('/api/orders/'));
  const cancels = api.filter((r) => r.path.endsWith('/cancel'));
  assert.ok(reads.length > 0 && cancels.length > 0);
  const cancelled = cancels.map((r) => r.path);
  assert.equal(new Set(cancelled).size, cancelled.length, 'each order is cancelled at most once');
  assert.equal(report.unexpected, 0);
  assert.equal(report.errors, 0);
});

test('a gateway that is not there fails the run with its address and the reason', async () => {
  const gateway = await fakeGateway();
  gateway.close();
  await assert.rejects(runLoad(config(gateway.url), { log: () => {} }), (error: Error) => {
    assert.match(error.message, new RegExp(`gateway not usable at ${gateway.url}.*ECONNREFUSED`));
    return true;
  });
});

test('a slow gateway drops iterations beyond maxInFlight instead of piling them up', async (t) => {
  const server = createServer((req, res) => {
    if (req.url === '/auth/token') res.end(JSON.stringify({ access_token: 'tok' }));
    else setTimeout(() => res.writeHead(202).end('{"orderId":"x"}'), 1500);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const report = await runLoad(config(url, { durationMs: 1000, maxInFlight: 5 }), { log: () => {} });
  assert.equal(report.iterations, 5);
  assert.equal(report.dropped, 35);
});

test('the mix: shares add up, bad requests are a small share, reads and cancels need an order', () => {
  assert.equal(
    MIX.reduce((sum, [, weight]) => sum + weight, 0),
    100,
  );
  assert.equal(MIX.find(([action]) => action === 'bad')![1], 3);
  const counts: Record<string, number> = {};
  for (let i = 0; i < 1000; i++) {
    const action = pickAction(() => i / 1000, false);
    counts[action] = (counts[action] ?? 0) + 1;
  }
  assert.equal(counts['read'], undefined);
  assert.equal(counts['cancel'], undefined);
  assert.equal(counts['bad'], 30);
});

test('orders have 1-3 distinct known lines; the scarce SKU appears only now and then', () => {
  let scarce = 0;
  for (let i = 0; i < 2000; i++) {
    const lines = orderLines(Math.random);
    assert.ok(lines.length >= 1 && lines.length <= 3);
    assert.equal(new Set(lines.map((l) => l.sku)).size, lines.length);
    for (const line of lines) {
      assert.ok((SKUS as readonly string[]).includes(line.sku) || line.sku === SCARCE_SKU);
      assert.ok(line.quantity >= 1);
    }
    if (lines.some((l) => l.sku === SCARCE_SKU)) scarce++;
  }
  assert.ok(scarce > 10 && scarce < 100, `gold-teapot in ${scarce} of 2000 orders`);
  const kinds = new Set([0, 0.4, 0.8].map((r) => badRequest(() => r).kind));
  assert.deepEqual([...kinds].sort(), ['missing-idempotency-key', 'unknown-sku', 'zero-quantity']);
});

test('bounded: loopback only unless LOAD_ALLOW_REMOTE=1, rate and duration capped', () => {
  assert.equal(readLoadConfig({}).gatewayUrl, 'http://127.0.0.1:28080');
  assert.equal(readLoadConfig({}).ratePerSecond, 2);
  assert.equal(readLoadConfig({}).durationMs, 300_000);
  for (const url of ['http://localhost:1', 'http://127.1.2.3:8080/', 'http://[::1]:80']) {
    assert.ok(readLoadConfig({ GATEWAY_URL: url }).gatewayUrl.startsWith('http'));
  }
  assert.throws(
    () => readLoadConfig({ GATEWAY_URL: 'http://gateway:8080' }),
    /not a loopback address.*LOAD_ALLOW_REMOTE=1/,
  );
  assert.throws(() => readLoadConfig({ GATEWAY_URL: 'http://10.0.0.1' }), /not a loopback address/);
  assert.equal(
    readLoadConfig({ GATEWAY_URL: 'http://gateway:8080', LOAD_ALLOW_REMOTE: '1' }).gatewayUrl,
    'http://gateway:8080',
  );
  assert.throws(() => readLoadConfig({ LOAD_RATE: '1000' }), /LOAD_RATE.*0\.1 to 100/);
  assert.throws(() => readLoadConfig({ LOAD_RATE: 'fast' }), /LOAD_RATE/);
  assert.throws(() => readLoadConfig({ LOAD_DURATION: '48h' }), /LOAD_DURATION.*at most 24h/);
  assert.throws(() => readLoadConfig({ LOAD_DURATION: '10' }), /LOAD_DURATION/);
  assert.equal(readLoadConfig({ LOAD_DURATION: '90s' }).durationMs, 90_000);
});
