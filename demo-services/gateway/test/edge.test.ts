// The gateway as it runs in the demo, in a child process started with the register flag (in
// this test process no spans exist, so no trace ids either): every answer carries a W3C
// `traceresponse` naming the trace that the services downstream joined, and baggage from
// outside never crosses the gateway, while the gateway's own entries (the user, and
// `synthetic=true` for the load generator) do. Upstreams: stand-ins that record what they get
// (the real order-view is not in the repo yet, and a stand-in shows the headers it receives).
import { dropNamespace, testEnv, uniqueNamespace } from '@hopscope/demo-shared/testing';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { type StubServer, call, signIn, stubServer } from './helpers.ts';

const TRACERESPONSE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const ns = uniqueNamespace();
let child: ChildProcess;
let upstream: StubServer;
let gatewayUrl: string;

before(async () => {
  upstream = await stubServer((app) => {
    app.get('/orders', (_req, res) => void res.json({ orders: [] }));
    app.get('/products', (_req, res) => void res.status(503).json({ error: { code: 'down', message: 'down' } }));
  });
  child = spawn(
    process.execPath,
    ['--import', '@hopscope/instrumentation/register', fileURLToPath(new URL('../src/main.ts', import.meta.url))],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: {
        PATH: process.env['PATH'],
        ...testEnv(ns, {
          ORDERS_URL: upstream.url,
          ORDER_VIEW_URL: upstream.url,
          INVENTORY_URL: upstream.url,
          SHIPPING_URL: upstream.url,
          GATEWAY_RATE_LIMIT_PER_MINUTE: '8',
          GATEWAY_BREAKER_FAILURES: '100',
          OTEL_SERVICE_NAME: 'gateway',
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
        }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout?.setEncoding('utf8');
  gatewayUrl = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`gateway exited (${code}): ${output}`)));
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      const port = /"port":(\d+)/.exec(output)?.[1];
      if (port && output.includes('"msg":"ready"')) resolve(`http://127.0.0.1:${port}`);
    });
  });
  child.removeAllListeners('exit');
});

after(async () => {
  if (child && child.exitCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  await upstream?.close();
  await dropNamespace(ns);
});

function traceIdOf(response: { headers: Headers }): string {
  const header = response.headers.get('traceresponse') ?? '';
  const match = TRACERESPONSE.exec(header);
  assert.ok(match, `traceresponse: ${JSON.stringify(header)}`);
  return match[1];
}

test('baggage from outside is dropped; the gateway sends its own entries with the trace', async () => {
  const token = await signIn(gatewayUrl, 'load-generator');
  const response = await call(`${gatewayUrl}/api/orders`, {
    token,
    headers: { baggage: 'synthetic=false,admin=true,enduser.id=root' },
  });
  assert.equal(response.status, 200);
  const received = upstream.requests.at(-1);
  const baggage = String(received?.headers['baggage'] ?? '');
  const entries = Object.fromEntries(baggage.split(',').map((entry) => entry.trim().split('=') as [string, string]));
  assert.deepEqual(entries, { 'enduser.id': 'load-generator', synthetic: 'true' });

  // The traceresponse names the trace the upstream call belongs to.
  const traceparent = String(received?.headers['traceparent'] ?? '');
  assert.equal(traceparent.split('-')[1], traceIdOf(response));

  const alice = await signIn(gatewayUrl, 'alice');
  await call(`${gatewayUrl}/api/orders`, { token: alice, headers: { baggage: 'synthetic=true' } });
  assert.equal(upstream.requests.at(-1)?.headers['baggage'], 'enduser.id=alice');
});

test('every answer carries a traceresponse: 200, 400, 401, 404, 503 and 429', async () => {
  const alice = await signIn(gatewayUrl, 'alice');
  const answers = [
    await call(`${gatewayUrl}/api/orders`, { token: alice }),
    await call(`${gatewayUrl}/api/orders?limit=x`, { token: alice }),
    await call(`${gatewayUrl}/api/orders`),
    await call(`${gatewayUrl}/nowhere`),
    await call(`${gatewayUrl}/api/products`),
  ];
  assert.deepEqual(
    answers.map((a) => a.status),
    [200, 400, 401, 404, 503],
  );
  const traceIds = answers.map(traceIdOf);
  assert.equal(new Set(traceIds).size, traceIds.length, 'each request is its own trace');

  let limited: Awaited<ReturnType<typeof call>> | undefined;
  for (let i = 0; i < 20 && limited?.status !== 429; i++) limited = await call(`${gatewayUrl}/nowhere`);
  assert.equal(limited?.status, 429);
  assert.ok(limited);
  traceIdOf(limited);
});
