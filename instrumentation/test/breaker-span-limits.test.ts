// The breaker's span attributes (name, state) obey the tracer provider's span limits as any
// setAttribute() does: past the count limit they are dropped and counted, past the length limit
// truncated, on an ended span not written. The recorder writes them without the SDK's per-value
// check (src/sdk-span-attributes.ts), so this pins down that nothing else changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Span, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type SpanLimits, TracerProvider } from '@opentelemetry/sdk-trace';
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import CircuitBreaker from 'opossum';
import { ATTR_BREAKER_NAME, ATTR_BREAKER_STATE } from '../src/resilience/breaker-recorder.ts';
import { instrumentCockatielBreaker } from '../src/resilience/cockatiel.ts';
import { instrumentOpossumBreaker } from '../src/resilience/opossum.ts';
import { start } from '../src/start.ts';

// start() for its context manager: the spans come from providers with their own limits.
start({ serviceName: 'breaker-span-limits', env: { OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' } });

const libraries = {
  cockatiel: (name: string) => {
    const policy = instrumentCockatielBreaker(
      circuitBreaker(handleAll, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(5) }),
      { name },
    );
    return () => policy.execute(() => Promise.resolve('ok'));
  },
  opossum: (name: string) => {
    const breaker = instrumentOpossumBreaker(new CircuitBreaker(() => Promise.resolve('ok')), { name });
    return () => breaker.fire();
  },
};

/** The exported span of one breaker call made inside `prepare`d span under `limits`. */
async function spanOfCall(call: () => Promise<unknown>, limits: SpanLimits, prepare: (span: Span) => void = () => {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanLimits: limits, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const span = provider.getTracer('test').startSpan('request');
  prepare(span);
  await context.with(trace.setSpan(context.active(), span), call);
  span.end();
  const [exported] = exporter.getFinishedSpans();
  await provider.shutdown();
  return exported;
}

for (const [library, breakerCall] of Object.entries(libraries)) {
  test(`${library}: breaker attributes within the limits`, async () => {
    const span = await spanOfCall(breakerCall(`limits-${library}-ok`), {});
    assert.equal(span.attributes[ATTR_BREAKER_NAME], `limits-${library}-ok`);
    assert.equal(span.attributes[ATTR_BREAKER_STATE], 'closed');
    assert.equal(span.droppedAttributesCount, 0);
  });

  test(`${library}: past the attribute count limit, dropped and counted; an existing key still updated`, async () => {
    const span = await spanOfCall(breakerCall(`limits-${library}-count`), { attributeCountLimit: 2 }, (s) => {
      s.setAttribute('app.user', 'alice');
      s.setAttribute(ATTR_BREAKER_STATE, 'unknown');
    });
    assert.deepEqual(span.attributes, { 'app.user': 'alice', [ATTR_BREAKER_STATE]: 'closed' });
    assert.equal(span.droppedAttributesCount, 1);
  });

  test(`${library}: past the value length limit, truncated`, async () => {
    const span = await spanOfCall(breakerCall(`limits-${library}-length`), { attributeValueLengthLimit: 5 });
    assert.equal(span.attributes[ATTR_BREAKER_NAME], 'limit');
    assert.equal(span.attributes[ATTR_BREAKER_STATE], 'close');
  });
}

test('a call inside an ended span leaves it as it was', async () => {
  const call = libraries.cockatiel('limits-ended');
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const span = provider.getTracer('test').startSpan('request');
  span.end();
  await context.with(trace.setSpan(context.active(), span), call);
  const [exported] = exporter.getFinishedSpans();
  assert.deepEqual(exported.attributes, {});
  await provider.shutdown();
});
