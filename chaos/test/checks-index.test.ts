// evaluateCheck dispatches each kind of check to its backend; a backend that cannot be reached
// is an answer (the check does not hold, and says why), so the runner polls on; only the run's
// own abort rejects. A loopback port just freed refuses every connection: a real refusal, no mock.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { evaluateCheck } from '../src/checks/index.ts';
import type { CheckContext } from '../src/checks/context.ts';

const port = await new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});
const CLOSED = `http://127.0.0.1:${port}`;
const ctx: CheckContext = {
  prometheus: CLOSED,
  jaeger: CLOSED,
  loki: CLOSED,
  databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
  namespace: 'demo',
  windowStart: Date.now() - 60_000,
};

test('each kind of check goes to its backend, and an unreachable one is a "does not hold"', async () => {
  const promql = await evaluateCheck({ name: 'up', promql: 'up{namespace="$namespace"}', expect: '== 1' }, ctx);
  assert.deepEqual(promql, { holds: false, observed: `Prometheus: 127.0.0.1:${port} unreachable: ECONNREFUSED` });
  const jaeger = await evaluateCheck({ name: 'trace', jaeger: { service: 'payments', spans: [{ error: true }] } }, ctx);
  assert.deepEqual(jaeger, { holds: false, observed: `Jaeger: 127.0.0.1:${port} unreachable: ECONNREFUSED` });
  const logql = await evaluateCheck({ name: 'line', logql: '{service_name="bank"}' }, ctx);
  assert.deepEqual(logql, { holds: false, observed: `Loki: 127.0.0.1:${port} unreachable: ECONNREFUSED` });
  const invariant = await evaluateCheck({ name: 'terminal', invariant: 'orders-terminal' }, ctx);
  assert.equal(invariant.holds, false);
  assert.match(invariant.observed, /^cannot read: database demo_orders: .*ECONNREFUSED/);
});

test('an aborted run rejects instead of answering', async () => {
  const controller = new AbortController();
  controller.abort(new Error('interrupted'));
  const aborted = { ...ctx, signal: controller.signal };
  await assert.rejects(evaluateCheck({ name: 'up', promql: 'up', expect: '== 1' }, aborted), /interrupted/);
  await assert.rejects(evaluateCheck({ name: 'line', logql: '{a="b"}' }, aborted), /interrupted/);
});
