// From a "circuit breaker transition" log line to the trace of the call that caused it: the
// line (written by the package's own pino logger) carries that call's trace_id and span_id,
// and that call's span carries the circuit_breaker.transition event. Covers the paths a
// breaker opens by in the demo: a failing call, a timed-out call (opossum's own timer), calls
// in flight together, and the test call that closes it again.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import CircuitBreaker from 'opossum';
import { createLogger } from '../src/logs/logger.ts';
import { instrumentCockatielBreaker } from '../src/resilience/cockatiel.ts';
import { instrumentOpossumBreaker } from '../src/resilience/opossum.ts';
import { forceFlush, start } from '../src/start.ts';

const exporter = new InMemorySpanExporter();
start({ spanExporter: exporter, serviceName: 'breaker-links', env: { OTEL_LOGS_EXPORTER: 'none' } });
const tracer = trace.getTracer('test');

type Line = Record<string, unknown>;

/** The package's logger writing JSON lines into memory, as they would reach a log store. */
function jsonLogger() {
  const lines: Line[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Line);
      done();
    },
  });
  return { lines, logger: createLogger({ destination }) };
}

/** One call inside its own span (a consumer's or a request's); the failure is swallowed. */
async function call(name: string, run: () => Promise<unknown>): Promise<void> {
  await tracer.startActiveSpan(name, async (span) => {
    await run().catch(() => undefined);
    span.end();
  });
}

async function finishedSpan(name: string): Promise<ReadableSpan> {
  await forceFlush();
  const span = exporter.getFinishedSpans().findLast((s) => s.name === name);
  assert.ok(span, `span ${name} was exported`);
  return span;
}

function transitionLine(lines: Line[], breaker: string, to: string): Line {
  const found = lines.filter(
    (l) => l['msg'] === 'circuit breaker transition' && l['breaker'] === breaker && l['to_state'] === to,
  );
  assert.equal(found.length, 1, `one transition line to ${to}: ${JSON.stringify(lines)}`);
  return found[0];
}

/** The line names the span, and that span has the transition event to the same state. */
function assertLinked(line: Line, span: ReadableSpan, to: string): void {
  assert.equal(line['trace_id'], span.spanContext().traceId, `the ${to} line has the trace of ${span.name}`);
  assert.equal(line['span_id'], span.spanContext().spanId, `the ${to} line has the span of ${span.name}`);
  const events = span.events.filter((e) => e.name === 'circuit_breaker.transition');
  assert.deepEqual(
    events.map((e) => e.attributes?.['hopscope.circuit_breaker.to_state']),
    [to],
    `${span.name} carries the transition event`,
  );
}

const fail = () => Promise.reject(new Error('bank answered HTTP 503'));

test('opossum: the opening line carries the trace of the failing call that opened it', async (t) => {
  const { lines, logger } = jsonLogger();
  let healthy = false;
  const bank = new CircuitBreaker(() => (healthy ? Promise.resolve('ok') : fail()), {
    errorThresholdPercentage: 50,
    volumeThreshold: 3,
    resetTimeout: 100,
    rollingCountTimeout: 10_000,
  });
  t.after(() => bank.shutdown());
  instrumentOpossumBreaker(bank, { name: 'links-opossum', logger });

  for (let i = 0; i < 3; i++) await call(`o-fail-${i}`, () => bank.fire());
  assertLinked(transitionLine(lines, 'links-opossum', 'open'), await finishedSpan('o-fail-2'), 'open');
  for (const earlier of ['o-fail-0', 'o-fail-1']) {
    const span = await finishedSpan(earlier);
    assert.ok(!span.events.some((e) => e.name === 'circuit_breaker.transition'), `${earlier} opened nothing`);
  }

  await sleep(150); // opossum's reset timer: half-open, no call involved
  transitionLine(lines, 'links-opossum', 'half_open');
  healthy = true;
  await call('o-recovered', () => bank.fire());
  assertLinked(transitionLine(lines, 'links-opossum', 'closed'), await finishedSpan('o-recovered'), 'closed');
});

test('opossum: a call that times out (opossum timer) and opens the breaker is the linked one', async (t) => {
  const { lines, logger } = jsonLogger();
  const bank = new CircuitBreaker(() => sleep(1_000), {
    timeout: 20,
    errorThresholdPercentage: 50,
    volumeThreshold: 2,
    resetTimeout: 10_000,
  });
  t.after(() => bank.shutdown());
  instrumentOpossumBreaker(bank, { name: 'links-opossum-timeout', logger });

  for (let i = 0; i < 2; i++) await call(`t-slow-${i}`, () => bank.fire());
  assertLinked(transitionLine(lines, 'links-opossum-timeout', 'open'), await finishedSpan('t-slow-1'), 'open');
});

test('opossum: with calls in flight together, the line names the one whose failure opened it', async (t) => {
  const { lines, logger } = jsonLogger();
  // Each call fails after its own delay, so they overlap and end in a known order.
  const bank = new CircuitBreaker((delayMs: number) => sleep(delayMs).then(fail), {
    errorThresholdPercentage: 50,
    volumeThreshold: 3,
    resetTimeout: 10_000,
  });
  t.after(() => bank.shutdown());
  instrumentOpossumBreaker(bank, { name: 'links-opossum-concurrent', logger });

  await Promise.all([40, 10, 25, 55].map((delayMs) => call(`p-${delayMs}`, () => bank.fire(delayMs))));
  // Failures end at 10, 25, 40 ms: the third (40 ms) reaches the volume threshold and opens it.
  assertLinked(transitionLine(lines, 'links-opossum-concurrent', 'open'), await finishedSpan('p-40'), 'open');
});

test('cockatiel: the opening and closing lines carry the traces of the calls that caused them', async () => {
  const { lines, logger } = jsonLogger();
  const policy = instrumentCockatielBreaker(
    circuitBreaker(handleAll, { halfOpenAfter: 100, breaker: new ConsecutiveBreaker(2) }),
    { name: 'links-cockatiel', logger },
  );

  for (let i = 0; i < 2; i++) await call(`c-fail-${i}`, () => policy.execute(fail));
  assertLinked(transitionLine(lines, 'links-cockatiel', 'open'), await finishedSpan('c-fail-1'), 'open');

  await sleep(150);
  // cockatiel goes half-open when the test call arrives, so both lines belong to that call.
  await call('c-recovered', () => policy.execute(() => Promise.resolve('ok')));
  const recovered = await finishedSpan('c-recovered');
  for (const to of ['half_open', 'closed']) {
    const line = transitionLine(lines, 'links-cockatiel', to);
    assert.equal(line['trace_id'], recovered.spanContext().traceId, `the ${to} line has the test call's trace`);
  }
});
