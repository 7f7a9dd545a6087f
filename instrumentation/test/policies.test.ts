// cockatiel retry, timeout and bulkhead policies as a user sees them in the trace and on /metrics.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { ConstantBackoff, TimeoutStrategy, bulkhead, handleAll, retry, timeout } from 'cockatiel';
import {
  instrumentCockatielBulkhead,
  instrumentCockatielRetry,
  instrumentCockatielTimeout,
} from '../src/resilience/cockatiel-policies.ts';
import { forceFlush, start } from '../src/start.ts';
import { metricValue } from './helpers/metrics-text.ts';

const exporter = new InMemorySpanExporter();
const telemetry = start({ spanExporter: exporter, serviceName: 'policies', env: { OTEL_LOGS_EXPORTER: 'none' } });
const metrics = () => telemetry.metrics.registry.metrics();

test('a retry that succeeds on the third attempt: three attempt spans, and the counters agree', async () => {
  const policy = instrumentCockatielRetry(retry(handleAll, { maxAttempts: 5, backoff: new ConstantBackoff(10) }), {
    name: 'charge',
  });
  let calls = 0;
  const parent = await trace.getTracer('test').startActiveSpan('charge order', async (span) => {
    const result = await policy.execute(() => (++calls < 3 ? Promise.reject(new Error('bank busy')) : 'charged'));
    assert.equal(result, 'charged');
    span.end();
    return span;
  });
  await forceFlush();
  const attempts = exporter.getFinishedSpans().filter((s) => s.name === 'charge attempt');
  assert.equal(attempts.length, 3);
  assert.deepEqual(
    attempts.map((s) => s.attributes['hopscope.retry.attempt']),
    [1, 2, 3],
  );
  for (const attempt of attempts) assert.equal(attempt.parentSpanContext?.spanId, parent.spanContext().spanId);
  assert.deepEqual(
    attempts.map((s) => s.status.code),
    [2, 2, 0],
    'the two failed attempts are errors',
  );

  const text = await metrics();
  assert.equal(metricValue(text, 'hopscope_retry_attempts_total', { policy: 'charge', outcome: 'failure' }), 2);
  assert.equal(metricValue(text, 'hopscope_retry_attempts_total', { policy: 'charge', outcome: 'success' }), 1);
  assert.equal(
    metricValue(text, 'hopscope_retry_calls_total', { policy: 'charge', result: 'succeeded_after_retry' }),
    1,
  );
  assert.equal(metricValue(text, 'hopscope_retry_backoff_seconds_count', { policy: 'charge' }), 2);
  assert.equal(metricValue(text, 'hopscope_retry_backoff_seconds_sum', { policy: 'charge' }), 0.02);
});

test('a retry that gives up is counted as gave_up', async () => {
  const policy = instrumentCockatielRetry(retry(handleAll, { maxAttempts: 1 }), { name: 'refund' });
  await assert.rejects(
    policy.execute(() => Promise.reject(new Error('bank down'))),
    /bank down/,
  );
  const text = await metrics();
  assert.equal(metricValue(text, 'hopscope_retry_calls_total', { policy: 'refund', result: 'gave_up' }), 1);
  assert.equal(metricValue(text, 'hopscope_retry_attempts_total', { policy: 'refund', outcome: 'failure' }), 2);
});

test('a timeout is counted and marked on the active span', async () => {
  const policy = instrumentCockatielTimeout(timeout(20, TimeoutStrategy.Aggressive), { name: 'bank-timeout' });
  await trace.getTracer('test').startActiveSpan('slow call', async (span) => {
    await assert.rejects(policy.execute(() => sleep(200)));
    span.end();
  });
  await forceFlush();
  const span = exporter.getFinishedSpans().find((s) => s.name === 'slow call');
  assert.ok(span?.events.some((e) => e.name === 'timeout'));
  assert.equal(metricValue(await metrics(), 'hopscope_timeout_timeouts_total', { policy: 'bank-timeout' }), 1);
});

test('a bulkhead shows running and queued calls and counts rejections', async () => {
  const policy = instrumentCockatielBulkhead(bulkhead(1, 1), { name: 'bank-slots' });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const running = policy.execute(() => gate);
  const queued = policy.execute(() => gate);
  await assert.rejects(
    policy.execute(() => gate),
    /Bulkhead capacity exceeded/,
  );
  let text = await metrics();
  assert.equal(metricValue(text, 'hopscope_bulkhead_active_calls', { policy: 'bank-slots' }), 1);
  assert.equal(metricValue(text, 'hopscope_bulkhead_queued_calls', { policy: 'bank-slots' }), 1);
  assert.equal(metricValue(text, 'hopscope_bulkhead_rejected_total', { policy: 'bank-slots' }), 1);
  release();
  await Promise.all([running, queued]);
  text = await metrics();
  assert.equal(metricValue(text, 'hopscope_bulkhead_active_calls', { policy: 'bank-slots' }), 0);
  assert.equal(metricValue(text, 'hopscope_bulkhead_queued_calls', { policy: 'bank-slots' }), 0);
});

test('a bad policy name is a programmer error at the call site', () => {
  assert.throws(
    () => instrumentCockatielRetry(retry(handleAll, { maxAttempts: 1 }), { name: 'has spaces' }),
    /policy name must be/,
  );
});
