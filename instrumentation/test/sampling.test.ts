// Sampled or not, every request is counted: the RED metrics come from recorded spans, and
// only sampled ones give exemplars. Also prom-client's own (non-OpenMetrics) registry works.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import { Registry } from 'prom-client';
import { instrumentCockatielBreaker } from '../src/resilience/cockatiel.ts';
import { captureLogger } from './helpers/capture-logger.ts';
import { deleteQueues, uniqueQueue } from './helpers/queues.ts';
import { postOrders } from './helpers/load.ts';
import { metricValue } from './helpers/metrics-text.ts';
import { ServiceProcess } from './helpers/service-process.ts';

test('with sampling off, requests are served and counted, without exemplars', async (t) => {
  const queue = uniqueQueue('unsampled');
  const api = new ServiceProcess('order-api.mjs', {
    OTEL_SERVICE_NAME: 'order-api',
    OTEL_TRACES_SAMPLER: 'always_off',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', // nothing listens: exports fail fast
    OTEL_EXPORTER_OTLP_TIMEOUT: '500',
    ORDER_QUEUE: queue,
  });
  t.after(async () => {
    await api.stop();
    await deleteQueues(queue);
  });
  const baseUrl = `http://127.0.0.1:${String((await api.waitForLine('listening'))['port'])}`;
  assert.deepEqual([...(await postOrders(baseUrl, 20))], [[202, 20]]);
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const count = metricValue(text, 'http_server_request_duration_seconds_count', { http_route: '/orders' });
  assert.equal(count, 20);
  assert.ok(
    !/http_server_request_duration_seconds_bucket\{[^}]*\} \d+ # \{/.test(text),
    'no exemplar from unsampled spans',
  );
  assert.equal(api.stderr.filter((line) => /TypeError/.test(line)).length, 0, api.stderr.join('\n'));
});

test('breaker telemetry on a plain Prometheus registry (no exemplars there) records calls', async () => {
  const registry = new Registry();
  const policy = instrumentCockatielBreaker(
    circuitBreaker(handleAll, { halfOpenAfter: 100, breaker: new ConsecutiveBreaker(3) }),
    {
      name: 'plain-registry',
      registry,
      logger: captureLogger(),
    },
  );
  await trace.getTracer('test').startActiveSpan('call', async (span) => {
    await policy.execute(() => 'ok');
    span.end();
  });
  await policy.execute(() => 'ok');
  const text = await registry.metrics();
  assert.equal(
    metricValue(text, 'hopscope_circuit_breaker_calls_total', { breaker: 'plain-registry', outcome: 'success' }),
    2,
  );
  assert.equal(
    metricValue(text, 'hopscope_circuit_breaker_call_duration_seconds_count', {
      breaker: 'plain-registry',
      outcome: 'success',
    }),
    2,
  );
});
