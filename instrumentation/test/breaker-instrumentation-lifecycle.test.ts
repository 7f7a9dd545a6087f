// Instrumenting a breaker or a policy is idempotent and can be undone: a second call returns the
// first instrumentation (every call still counted once), dispose() takes it off again (its gauges
// leave the scrape, its events are no longer counted), and the policy can be instrumented anew.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConsecutiveBreaker, TimeoutStrategy, bulkhead, circuitBreaker, handleAll, retry, timeout } from 'cockatiel';
import CircuitBreaker from 'opossum';
import { Registry } from 'prom-client';
import { instrumentCockatielBreaker } from '../src/resilience/cockatiel.ts';
import {
  instrumentCockatielBulkhead,
  instrumentCockatielRetry,
  instrumentCockatielTimeout,
} from '../src/resilience/cockatiel-policies.ts';
import { instrumentOpossumBreaker } from '../src/resilience/opossum.ts';
import { captureLogger } from './helpers/capture-logger.ts';
import { breakerStates, metricValue } from './helpers/metrics-text.ts';

const succeed = () => Promise.resolve('ok');
const fail = () => Promise.reject(new Error('bank down'));

const cockatielBreaker = () => circuitBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(2) });
const opossumBreaker = () =>
  new CircuitBreaker((healthy: boolean) => (healthy ? succeed() : fail()), {
    errorThresholdPercentage: 40, // opens above 40%: at the first failure after one success
    volumeThreshold: 2,
    resetTimeout: 60_000,
  });

const calls = (text: string, breaker: string, outcome: string) =>
  metricValue(text, 'hopscope_circuit_breaker_calls_total', { breaker, outcome });
const openings = (text: string, breaker: string) =>
  metricValue(text, 'hopscope_circuit_breaker_transitions_total', { breaker, from_state: 'closed', to_state: 'open' });

/** The breaker's series that describe it now (gauges), as a scrape shows them. */
function breakerGauges(text: string, breaker: string) {
  return {
    state: breakerStates(text, breaker),
    failureRate: metricValue(text, 'hopscope_circuit_breaker_failure_rate', { breaker }),
    lastTransition: metricValue(text, 'hopscope_circuit_breaker_last_transition_timestamp_seconds', { breaker }),
  };
}

test('a cockatiel breaker instrumented twice: the first instrumentation, each call and transition counted once', async () => {
  const registry = new Registry();
  const logger = captureLogger();
  const policy = cockatielBreaker();
  const first = instrumentCockatielBreaker(policy, { name: 'twice-cockatiel', registry, logger });
  const second = instrumentCockatielBreaker(policy, { name: 'twice-cockatiel', registry, logger });
  assert.equal(second, first);

  assert.equal(await policy.execute(succeed), 'ok');
  for (let i = 0; i < 2; i++) await assert.rejects(policy.execute(fail), /bank down/);
  await assert.rejects(policy.execute(succeed), /open/);
  const text = await registry.metrics();
  assert.equal(calls(text, 'twice-cockatiel', 'success'), 1);
  assert.equal(calls(text, 'twice-cockatiel', 'failure'), 2);
  assert.equal(calls(text, 'twice-cockatiel', 'rejected'), 1);
  assert.equal(openings(text, 'twice-cockatiel'), 1);
  assert.equal(logger.lines.length, 1, 'one log line for the one transition');
});

test('an opossum breaker instrumented twice: the first instrumentation, each call and transition counted once', async () => {
  const registry = new Registry();
  const logger = captureLogger();
  const breaker = opossumBreaker();
  const first = instrumentOpossumBreaker(breaker, { name: 'twice-opossum', registry, logger });
  assert.equal(instrumentOpossumBreaker(breaker, { name: 'twice-opossum', registry, logger }), first);

  assert.equal(await breaker.fire(true), 'ok');
  await assert.rejects(breaker.fire(false), /bank down/);
  await assert.rejects(breaker.fire(true), /open/);
  const text = await registry.metrics();
  assert.equal(calls(text, 'twice-opossum', 'success'), 1);
  assert.equal(calls(text, 'twice-opossum', 'failure'), 1);
  assert.equal(calls(text, 'twice-opossum', 'rejected'), 1);
  assert.equal(openings(text, 'twice-opossum'), 1);
  assert.equal(logger.lines.length, 1, 'one log line for the one transition');
  breaker.shutdown();
});

test('retry, timeout and bulkhead policies instrumented twice: each event counted once', async () => {
  const registry = new Registry();
  const retryPolicy = retry(handleAll, { maxAttempts: 1 });
  const timeoutPolicy = timeout(10, TimeoutStrategy.Aggressive);
  const bulkheadPolicy = bulkhead(1, 0);
  for (let i = 0; i < 2; i++) {
    assert.equal(instrumentCockatielRetry(retryPolicy, { name: 'twice-retry', registry }), retryPolicy);
    assert.equal(instrumentCockatielTimeout(timeoutPolicy, { name: 'twice-timeout', registry }), timeoutPolicy);
    assert.equal(instrumentCockatielBulkhead(bulkheadPolicy, { name: 'twice-bulkhead', registry }), bulkheadPolicy);
  }

  let attempt = 0;
  assert.equal(await retryPolicy.execute(() => (++attempt === 1 ? fail() : succeed())), 'ok');
  await assert.rejects(timeoutPolicy.execute(() => sleep(200)));
  let release!: () => void;
  const running = bulkheadPolicy.execute(() => new Promise<void>((resolve) => (release = resolve)));
  await assert.rejects(bulkheadPolicy.execute(succeed), /Bulkhead capacity exceeded/);
  release();
  await running;

  const text = await registry.metrics();
  assert.equal(metricValue(text, 'hopscope_retry_attempts_total', { policy: 'twice-retry', outcome: 'failure' }), 1);
  assert.equal(metricValue(text, 'hopscope_retry_attempts_total', { policy: 'twice-retry', outcome: 'success' }), 1);
  assert.equal(
    metricValue(text, 'hopscope_retry_calls_total', { policy: 'twice-retry', result: 'succeeded_after_retry' }),
    1,
  );
  assert.equal(metricValue(text, 'hopscope_retry_backoff_seconds_count', { policy: 'twice-retry' }), 1);
  assert.equal(metricValue(text, 'hopscope_timeout_timeouts_total', { policy: 'twice-timeout' }), 1);
  assert.equal(metricValue(text, 'hopscope_bulkhead_rejected_total', { policy: 'twice-bulkhead' }), 1);
});

test('a disposed cockatiel breaker leaves the scrape, is no longer counted, and can be instrumented again', async () => {
  const registry = new Registry();
  const logger = captureLogger();
  const policy = cockatielBreaker();
  const instrumented = instrumentCockatielBreaker(policy, { name: 'disposed-cockatiel', registry, logger });
  await policy.execute(succeed);
  assert.deepEqual(breakerStates(await registry.metrics(), 'disposed-cockatiel'), ['closed']);

  instrumented.dispose();
  let text = await registry.metrics();
  assert.deepEqual(breakerGauges(text, 'disposed-cockatiel'), {
    state: [],
    failureRate: undefined,
    lastTransition: undefined,
  });
  assert.equal(await policy.execute(succeed), 'ok', 'the breaker itself works on');
  for (let i = 0; i < 2; i++) await assert.rejects(policy.execute(fail), /bank down/);
  text = await registry.metrics();
  assert.equal(calls(text, 'disposed-cockatiel', 'success'), 1, 'counted before dispose, not after');
  assert.equal(calls(text, 'disposed-cockatiel', 'failure'), undefined);
  assert.equal(openings(text, 'disposed-cockatiel'), undefined);
  assert.deepEqual(logger.lines, []);
  instrumented.dispose(); // a second dispose is harmless

  // Instrumented again: it starts from the breaker's state now, and counts each call once.
  instrumentCockatielBreaker(policy, { name: 'disposed-cockatiel', registry, logger });
  await assert.rejects(policy.execute(succeed), /open/);
  text = await registry.metrics();
  assert.deepEqual(breakerStates(text, 'disposed-cockatiel'), ['open']);
  assert.equal(calls(text, 'disposed-cockatiel', 'rejected'), 1);
});

test('a disposed opossum breaker leaves the scrape, is no longer counted, and can be instrumented again', async () => {
  const registry = new Registry();
  const logger = captureLogger();
  const breaker = opossumBreaker();
  const listeners = breaker.listenerCount('open');
  {
    using instrumented = instrumentOpossumBreaker(breaker, { name: 'disposed-opossum', registry, logger });
    assert.equal(await instrumented.fire(true), 'ok');
    assert.deepEqual(breakerStates(await registry.metrics(), 'disposed-opossum'), ['closed']);
  } // disposed here
  let text = await registry.metrics();
  assert.deepEqual(breakerGauges(text, 'disposed-opossum'), {
    state: [],
    failureRate: undefined,
    lastTransition: undefined,
  });
  assert.equal(breaker.listenerCount('open'), listeners, 'its listeners are removed');
  await assert.rejects(breaker.fire(false), /bank down/);
  await assert.rejects(breaker.fire(true), /open/);
  text = await registry.metrics();
  assert.equal(calls(text, 'disposed-opossum', 'success'), 1, 'counted before dispose, not after');
  assert.equal(calls(text, 'disposed-opossum', 'failure'), undefined);
  assert.equal(openings(text, 'disposed-opossum'), undefined);
  assert.deepEqual(logger.lines, []);

  instrumentOpossumBreaker(breaker, { name: 'disposed-opossum', registry, logger });
  await assert.rejects(breaker.fire(true), /open/);
  text = await registry.metrics();
  assert.deepEqual(breakerStates(text, 'disposed-opossum'), ['open']);
  assert.equal(calls(text, 'disposed-opossum', 'rejected'), 1);
  breaker.shutdown();
});

test('disposed retry, timeout and bulkhead policies are no longer counted, and can be instrumented again', async () => {
  const registry = new Registry();
  const retryPolicy = retry(handleAll, { maxAttempts: 1 });
  const timeoutPolicy = timeout(10, TimeoutStrategy.Aggressive);
  const bulkheadPolicy = bulkhead(1, 0);
  const exercise = async () => {
    await assert.rejects(retryPolicy.execute(fail), /bank down/);
    await assert.rejects(timeoutPolicy.execute(() => sleep(200)));
    let release!: () => void;
    const running = bulkheadPolicy.execute(() => new Promise<void>((resolve) => (release = resolve)));
    await assert.rejects(bulkheadPolicy.execute(succeed), /Bulkhead capacity exceeded/);
    release();
    await running;
  };
  const counts = (text: string) => [
    metricValue(text, 'hopscope_retry_calls_total', { policy: 'disposed-retry', result: 'gave_up' }),
    metricValue(text, 'hopscope_retry_attempts_total', { policy: 'disposed-retry', outcome: 'failure' }),
    metricValue(text, 'hopscope_timeout_timeouts_total', { policy: 'disposed-timeout' }),
    metricValue(text, 'hopscope_bulkhead_rejected_total', { policy: 'disposed-bulkhead' }),
  ];
  const instrumentAll = () => [
    instrumentCockatielRetry(retryPolicy, { name: 'disposed-retry', registry }),
    instrumentCockatielTimeout(timeoutPolicy, { name: 'disposed-timeout', registry }),
    instrumentCockatielBulkhead(bulkheadPolicy, { name: 'disposed-bulkhead', registry }),
  ];

  const instrumented = instrumentAll();
  await exercise();
  assert.deepEqual(counts(await registry.metrics()), [1, 2, 1, 1]);

  for (const policy of instrumented) policy.dispose();
  await exercise();
  const text = await registry.metrics();
  assert.deepEqual(counts(text), [1, 2, 1, 1], 'nothing counted after dispose');
  assert.equal(metricValue(text, 'hopscope_bulkhead_active_calls', { policy: 'disposed-bulkhead' }), undefined);
  assert.equal(metricValue(text, 'hopscope_bulkhead_queued_calls', { policy: 'disposed-bulkhead' }), undefined);

  instrumentAll();
  await exercise();
  assert.deepEqual(counts(await registry.metrics()), [2, 4, 2, 2], 'counted once each again');
});
