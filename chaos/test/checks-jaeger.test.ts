// Matching a scenario's span descriptions against traces shaped as Jaeger's query API returns
// them (/api/traces: its JSON model), and turning one into the report's waterfall data. The
// real Jaeger is exercised in test/stack/chaos-checks.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type JaegerSpan,
  type JaegerTrace,
  hasSearchedSpan,
  isError,
  judgeTraces,
  toTraceData,
} from '../src/checks/jaeger.ts';

const OLD = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const NEW = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

function span(
  traceID: string,
  spanID: string,
  processID: string,
  operationName: string,
  startTime: number,
  extra: Partial<JaegerSpan> = {},
): JaegerSpan {
  return { traceID, spanID, processID, operationName, startTime, duration: 1000, references: [], tags: [], ...extra };
}

const childOf = (traceID: string, spanID: string) => [{ refType: 'CHILD_OF', traceID, spanID }];
const processes = { p1: { serviceName: 'payments' }, p2: { serviceName: 'bank' }, p3: { serviceName: 'orders' } };

/** orders → payments (error, OTLP status) → bank (error tag); a FOLLOWS_FROM link on the payments span. */
const failedCharge: JaegerTrace = {
  traceID: NEW,
  processes,
  spans: [
    span(NEW, 's2', 'p1', 'payments.commands process', 2_000, {
      references: [
        { refType: 'FOLLOWS_FROM', traceID: OLD, spanID: 'x9' },
        { refType: 'CHILD_OF', traceID: NEW, spanID: 's1' },
      ],
      tags: [{ key: 'otel.status_code', type: 'string', value: 'ERROR' }],
    }),
    span(NEW, 's1', 'p3', 'orders.saga publish', 1_000),
    span(NEW, 's3', 'p2', 'POST /charges', 3_000, {
      references: childOf(NEW, 's2'),
      tags: [{ key: 'error', type: 'bool', value: true }],
    }),
  ],
};

const okCharge: JaegerTrace = {
  traceID: OLD,
  processes,
  spans: [
    span(OLD, 't1', 'p3', 'orders.saga publish', 500),
    span(OLD, 't2', 'p1', 'payments.commands process', 600, { references: childOf(OLD, 't1') }),
  ],
};

test('a span is an error by its error tag or its OTLP status', () => {
  assert.deepEqual(failedCharge.spans.map(isError), [true, false, true]);
  assert.equal(isError(span(NEW, 'z', 'p1', 'x', 0, { tags: [{ key: 'error', value: 'true' }] })), true);
  assert.equal(isError(span(NEW, 'z', 'p1', 'x', 0, { tags: [{ key: 'error', value: false }] })), false);
  assert.equal(isError(span(NEW, 'z', 'p1', 'x', 0, { tags: null })), false);
});

test('the trace holding every matcher is found: service, exact or prefixed operation, error', () => {
  const seen = judgeTraces([okCharge, failedCharge], {
    service: 'payments',
    spans: [
      { service: 'payments', error: true },
      { service: 'bank', operation: 'POST /charges', error: true },
      { operation: 'orders.saga*' },
    ],
  });
  assert.deepEqual(seen, {
    holds: true,
    observed: 'trace bbbbbbbbbbbb…: 3 spans in 3 services, errors in payments, bank',
    traceId: NEW,
  });
});

test('of several matching traces the most recent is returned', () => {
  const seen = judgeTraces([okCharge, failedCharge], { service: 'payments', spans: [{ service: 'orders' }] });
  assert.equal(seen.traceId, NEW);
  const onlyOld = judgeTraces([failedCharge, okCharge], {
    service: 'payments',
    spans: [{ error: false, service: 'payments' }],
  });
  assert.equal(onlyOld.traceId, OLD, 'error: false matches a span without error only');
});

test('when no trace holds them all, the closest one and what it lacks are named', () => {
  const seen = judgeTraces([okCharge, failedCharge], {
    service: 'payments',
    tags: { error: 'true' },
    spans: [{ service: 'bank', error: true }, { operation: 'payments.refund*' }, { service: 'orders', error: true }],
  });
  assert.deepEqual(seen, {
    holds: false,
    observed:
      '2 traces of payments with error=true, none with every span: the closest (bbbbbbbbbbbb…) lacks a span named payments.refund*; an error span of orders',
  });
  assert.deepEqual(judgeTraces([], { service: 'bank', spans: [{ error: true }] }), {
    holds: false,
    observed: 'no trace of bank in the window',
  });
  // "POST /charges" exactly: a longer name does not match without a trailing *.
  assert.equal(judgeTraces([failedCharge], { service: 'bank', spans: [{ operation: 'POST /char' }] }).holds, false);
});

test('the report gets every span with its parent from CHILD_OF, not from a link, oldest first', () => {
  assert.deepEqual(toTraceData(failedCharge), {
    traceId: NEW,
    spans: [
      {
        spanId: 's1',
        service: 'orders',
        operation: 'orders.saga publish',
        startUs: 1_000,
        durationUs: 1000,
        error: false,
      },
      {
        spanId: 's2',
        parentSpanId: 's1',
        service: 'payments',
        operation: 'payments.commands process',
        startUs: 2_000,
        durationUs: 1000,
        error: true,
      },
      {
        spanId: 's3',
        parentSpanId: 's2',
        service: 'bank',
        operation: 'POST /charges',
        startUs: 3_000,
        durationUs: 1000,
        error: true,
      },
    ],
  });
});

test("a search's tags are matched as Jaeger does: on one span of the service, or its process; error by status", () => {
  assert.equal(hasSearchedSpan(failedCharge, 'payments', { error: 'true' }), true);
  assert.equal(hasSearchedSpan(okCharge, 'payments', { error: 'true' }), false);
  assert.equal(hasSearchedSpan(okCharge, 'payments', { error: 'false' }), true);
  assert.equal(hasSearchedSpan(failedCharge, 'orders', { error: 'true' }), false, "bank's error is not orders'");
  const tagged: JaegerTrace = {
    traceID: NEW,
    processes: { p1: { serviceName: 'payments', tags: [{ key: 'host.name', value: 'a' }] } },
    spans: [
      span(NEW, 's1', 'p1', 'charge', 0, { tags: [{ key: 'http.response.status_code', type: 'int64', value: 503 }] }),
    ],
  };
  assert.equal(hasSearchedSpan(tagged, 'payments', { 'http.response.status_code': '503', 'host.name': 'a' }), true);
  assert.equal(hasSearchedSpan(tagged, 'payments', { 'http.response.status_code': '503', error: 'true' }), false);
});
