// A cockatiel breaker and an opossum breaker driven closed → open → half_open → closed, as a
// user sees it on /metrics, in the spans and in the logs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import CircuitBreaker from 'opossum';
import { instrumentCockatielBreaker } from '../src/resilience/cockatiel.ts';
import { instrumentOpossumBreaker } from '../src/resilience/opossum.ts';
import { forceFlush, start } from '../src/start.ts';
import { captureLogger } from './helpers/capture-logger.ts';
import { breakerStates, metricValue } from './helpers/metrics-text.ts';

const exporter = new InMemorySpanExporter();
const telemetry = start({ spanExporter: exporter, serviceName: 'breakers', env: { OTEL_LOGS_EXPORTER: 'none' } });
const metrics = () => telemetry.metrics.registry.metrics();
const tracer = trace.getTracer('test');

/** One call inside its own span; returns the outcome and the span (after export). */
async function call(name: string, run: () => Promise<unknown>): Promise<{ ok: boolean; span: ReadableSpan }> {
  let ok = true;
  await tracer.startActiveSpan(name, async (span) => {
    await run().catch(() => (ok = false));
    span.end();
  });
  await forceFlush();
  const span = exporter.getFinishedSpans().findLast((s) => s.name === name)!;
  return { ok, span };
}

/** One of each transition of a full cycle: closed → open → half_open → closed. */
function assertOneTransitionEach(text: string, breaker: string): void {
  for (const [from, to] of [
    ['closed', 'open'],
    ['open', 'half_open'],
    ['half_open', 'closed'],
  ] as const) {
    const labels = { breaker, from_state: from, to_state: to };
    assert.equal(metricValue(text, 'hopscope_circuit_breaker_transitions_total', labels), 1, `${from} → ${to}`);
  }
}

const succeed = () => Promise.resolve('ok');
const fail = () => Promise.reject(new Error('bank down'));

test('cockatiel: closed → open → half_open → closed, one-hot at every step', async () => {
  const logger = captureLogger();
  const policy = instrumentCockatielBreaker(
    circuitBreaker(handleAll, { halfOpenAfter: 150, breaker: new ConsecutiveBreaker(3) }),
    { name: 'bank-cockatiel', logger, window: { durationMs: 60_000, minimumCalls: 4 } },
  );
  const name = 'bank-cockatiel';
  assert.deepEqual(breakerStates(await metrics(), name), ['closed']);
  assert.equal(metricValue(await metrics(), 'hopscope_circuit_breaker_failure_rate', { breaker: name }), -1);

  for (let i = 0; i < 2; i++) assert.ok((await call(`c-ok-${i}`, () => policy.execute(succeed))).ok);
  for (let i = 0; i < 3; i++) await call(`c-fail-${i}`, () => policy.execute(fail));
  assert.deepEqual(breakerStates(await metrics(), name), ['open']);
  const opened = exporter.getFinishedSpans().find((s) => s.name === 'c-fail-2')!;
  assert.ok(
    opened.events.some((e) => e.name === 'circuit_breaker.transition'),
    'the transition is on the span',
  );

  const rejected = await call('c-rejected', () => policy.execute(succeed));
  await call('c-rejected-2', () => policy.execute(succeed));
  assert.equal(rejected.ok, false);
  assert.ok(rejected.span.events.some((e) => e.name === 'circuit_breaker.rejected'));
  assert.equal(rejected.span.attributes['hopscope.circuit_breaker.name'], name);
  assert.equal(rejected.span.attributes['hopscope.circuit_breaker.state'], 'open');

  await sleep(200);
  // cockatiel moves to half-open only when a call arrives; that call closes it again.
  const recovered = await call('c-recovered', () => policy.execute(succeed));
  assert.ok(recovered.ok);
  const transitions = recovered.span.events.filter((e) => e.name === 'circuit_breaker.transition');
  assert.deepEqual(
    transitions.map((e) => e.attributes?.['hopscope.circuit_breaker.to_state']),
    ['half_open', 'closed'],
  );

  const text = await metrics();
  assert.deepEqual(breakerStates(text, name), ['closed']);
  assertOneTransitionEach(text, name);
  assert.equal(metricValue(text, 'hopscope_circuit_breaker_calls_total', { breaker: name, outcome: 'success' }), 3);
  assert.equal(metricValue(text, 'hopscope_circuit_breaker_calls_total', { breaker: name, outcome: 'failure' }), 3);
  assert.equal(metricValue(text, 'hopscope_circuit_breaker_calls_total', { breaker: name, outcome: 'rejected' }), 2);
  assert.equal(
    metricValue(text, 'hopscope_circuit_breaker_failure_rate', { breaker: name }),
    3 / 6,
    'failures / (successes + failures)',
  );
  assert.equal(
    metricValue(text, 'hopscope_circuit_breaker_call_duration_seconds_count', { breaker: name, outcome: 'rejected' }),
    2,
  );
  assert.match(
    text,
    new RegExp(
      `hopscope_circuit_breaker_call_duration_seconds_bucket\\{[^}]*breaker="${name}"[^}]*\\} \\d+ # \\{trace_id="[0-9a-f]{32}"`,
    ),
  );
  const age =
    Date.now() / 1000 -
    metricValue(text, 'hopscope_circuit_breaker_last_transition_timestamp_seconds', { breaker: name })!;
  assert.ok(age >= 0 && age < 5, 'the last transition was just now');

  assert.deepEqual(
    logger.lines.map((l) => [l['from_state'], l['to_state'], l.level]),
    [
      ['closed', 'open', 'warn'],
      ['open', 'half_open', 'warn'],
      ['half_open', 'closed', 'info'],
    ],
  );
  assert.match(String(logger.lines[0]?.['reason']), /bank down/);
});

test('opossum: closed → open → half_open → closed, one-hot at every step', async () => {
  const logger = captureLogger();
  let healthy = true;
  const bank = new CircuitBreaker((..._args: unknown[]) => (healthy ? succeed() : fail()), {
    errorThresholdPercentage: 55, // opens above 55%: at the third failure of five calls
    volumeThreshold: 3,
    resetTimeout: 150,
    rollingCountTimeout: 10_000,
  });
  const name = 'bank-opossum';
  instrumentOpossumBreaker(bank, { name, logger });
  for (let i = 0; i < 2; i++) await call(`o-ok-${i}`, () => bank.fire());
  healthy = false;
  for (let i = 0; i < 3; i++) await call(`o-fail-${i}`, () => bank.fire());
  assert.deepEqual(breakerStates(await metrics(), name), ['open']);
  const rejected = await call('o-rejected', () => bank.fire());
  assert.ok(rejected.span.events.some((e) => e.name === 'circuit_breaker.rejected'));

  await sleep(200); // opossum moves to half-open on its own timer
  assert.deepEqual(breakerStates(await metrics(), name), ['half_open']);
  healthy = true;
  assert.ok((await call('o-recovered', () => bank.fire())).ok);

  const text = await metrics();
  assert.deepEqual(breakerStates(text, name), ['closed']);
  assertOneTransitionEach(text, name);
  assert.equal(metricValue(text, 'hopscope_circuit_breaker_calls_total', { breaker: name, outcome: 'rejected' }), 1);
  assert.equal(metricValue(text, 'hopscope_circuit_breaker_failure_rate', { breaker: name }), 3 / 6);
  assert.deepEqual(
    logger.lines.map((l) => l['to_state']),
    ['open', 'half_open', 'closed'],
  );
  bank.shutdown();
});

test('a burst of calls in one bucket: its exemplar names the first call of the second, a span that exists', async (t) => {
  const name = 'exemplar-burst';
  const policy = instrumentCockatielBreaker(
    circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
    { name },
  );
  // A bucket takes a new exemplar at most once a second: the clock advances 0.1 ms a reading,
  // so the burst stays inside one second however slow the machine is.
  let now = performance.now();
  t.mock.method(performance, 'now', () => (now += 0.1));
  const traceIds: string[] = [];
  for (let i = 0; i < 5; i++) {
    await tracer.startActiveSpan(`burst-${i}`, async (span) => {
      traceIds.push(span.spanContext().traceId);
      await policy.execute(succeed);
      span.end();
    });
  }
  await forceFlush();
  const exemplars = [
    ...(await metrics()).matchAll(/_call_duration_seconds_bucket\{([^}]*)\} \d+ # \{trace_id="(\w+)"/g),
  ]
    .filter(([, labels]) => labels.includes(`breaker="${name}"`))
    .map(([, , traceId]) => traceId);
  assert.deepEqual(exemplars, [traceIds[0]], 'one bucket holds an exemplar: the first call of the burst');
  assert.ok(
    exporter.getFinishedSpans().some((s) => s.spanContext().traceId === exemplars[0]),
    'the exemplar names an exported span',
  );
});

test('a bad breaker name is a programmer error at the call site', () => {
  const policy = circuitBreaker(handleAll, { halfOpenAfter: 10, breaker: new ConsecutiveBreaker(1) });
  assert.throws(() => instrumentCockatielBreaker(policy, { name: '' }), /breaker name must be 1-64 characters/);
  assert.throws(() => instrumentCockatielBreaker(policy, { name: 'x'.repeat(65) }), /breaker name/);
});

test('a logger that throws never breaks the call', async () => {
  const throwing = {
    info: () => {
      throw new Error('log sink down');
    },
    warn: () => {
      throw new Error('log sink down');
    },
  };
  const policy = instrumentCockatielBreaker(
    circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(1) }),
    {
      name: 'throwing-logger',
      logger: throwing,
    },
  );
  await assert.rejects(policy.execute(fail), /bank down/, "the caller sees its own error, not the logger's");
  assert.deepEqual(breakerStates(await metrics(), 'throwing-logger'), ['open'], 'the transition was still recorded');
});
