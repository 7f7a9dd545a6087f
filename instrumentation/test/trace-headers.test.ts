// Continuing a trace later from stored headers: work picked up long after the request (a saga's
// timeout) joins the request's trace with its baggage; stored garbage starts nothing, never throws.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { forceFlush, start } from '../src/start.ts';
import { traceHeaders, withTraceHeaders } from '../src/trace-headers.ts';

const exporter = new InMemorySpanExporter();
start({ spanExporter: exporter, serviceName: 'trace-headers', env: { OTEL_LOGS_EXPORTER: 'none' } });
const tracer = trace.getTracer('test');

test('work run in stored headers is a child of the span that stored them, with its baggage', async () => {
  const stored = tracer.startActiveSpan('POST /orders', (request) => {
    const baggage = propagation.createBaggage({ 'saga.id': { value: 's-1' } });
    const headers = context.with(propagation.setBaggage(context.active(), baggage), traceHeaders);
    request.end();
    return headers;
  });
  // Sampled (01) and, the trace id being ours and random, the Level 2 random flag (02).
  assert.match(stored['traceparent'] ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-03$/);
  assert.equal(stored['baggage'], 'saga.id=s-1');
  // Later, as a JSON column read back from the database.
  const later = JSON.parse(JSON.stringify(stored)) as Record<string, unknown>;
  const sagaId = withTraceHeaders(later, () => {
    tracer.startSpan('saga timed out').end();
    return propagation.getActiveBaggage()?.getEntry('saga.id')?.value;
  });
  assert.equal(sagaId, 's-1');
  await forceFlush();
  const spans = exporter.getFinishedSpans();
  const request = spans.find((s) => s.name === 'POST /orders')!;
  const timedOut = spans.find((s) => s.name === 'saga timed out')!;
  assert.equal(timedOut.spanContext().traceId, request.spanContext().traceId);
  assert.equal(timedOut.parentSpanContext?.spanId, request.spanContext().spanId);
});

test('headers that do not parse start no trace and do not throw', () => {
  for (const headers of [{}, { traceparent: 'garbage' }, { traceparent: 42, baggage: ['x'] }]) {
    const active = withTraceHeaders(headers, () => trace.getActiveSpan());
    assert.equal(active, undefined, JSON.stringify(headers));
  }
  assert.deepEqual(withTraceHeaders({}, traceHeaders), {});
});
