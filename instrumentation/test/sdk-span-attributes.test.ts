// The package writes some attributes straight into the SDK span (src/sdk-span-attributes.ts)
// rather than through setAttributes(), whose per-value check allocates. What a span ends up
// with must not depend on which way they were written: the same attributes, truncated and
// dropped the same way, under every span limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Attributes, type Span, SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type SpanLimits, TracerProvider } from '@opentelemetry/sdk-trace';
import { leanAttributeTracer, setAttributes } from '../src/sdk-span-attributes.ts';

function endedTwins(limits: SpanLimits, write: (direct: Span, sdk: Span) => void) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanLimits: limits, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('sdk-span-attributes');
  const direct = tracer.startSpan('direct', { attributes: { 'already.there': 'x' } });
  const sdk = tracer.startSpan('sdk', { attributes: { 'already.there': 'x' } });
  write(direct, sdk);
  direct.end();
  sdk.end();
  const [ended, expected] = exporter.getFinishedSpans();
  return {
    actual: { attributes: ended.attributes, dropped: ended.droppedAttributesCount },
    expected: { attributes: expected.attributes, dropped: expected.droppedAttributesCount },
  };
}

const MIXED: Attributes = {
  'http.request.method': 'GET',
  'server.port': 8080,
  'http.response.status_code': 503,
  'user_agent.original': 'a user agent longer than the limit',
  'tls.established': false,
  'already.there': 'overwritten',
  'not.set': undefined,
  '': 'an empty key',
  'http.request.header.accept': ['application/json', 'text/plain'],
};

for (const [name, limits] of Object.entries({
  'no limits': {},
  'a count limit': { attributeCountLimit: 4 },
  'a length limit': { attributeValueLengthLimit: 8 },
  'a length limit of 0 (taken as none)': { attributeValueLengthLimit: 0 },
  'both limits': { attributeCountLimit: 5, attributeValueLengthLimit: 3 },
} satisfies Record<string, SpanLimits>)) {
  test(`setAttributes writes what span.setAttributes() does, with ${name}`, () => {
    const { actual, expected } = endedTwins(limits, (direct, sdk) => {
      setAttributes(direct, MIXED);
      sdk.setAttributes(MIXED);
    });
    assert.deepEqual(actual, expected);
    assert.deepEqual(Object.keys(actual.attributes), Object.keys(expected.attributes), 'the same order');
  });
}

test('setAttributes writes nothing on an ended span, as span.setAttributes() does', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const span = provider.getTracer('sdk-span-attributes').startSpan('ended');
  span.end();
  setAttributes(span, { late: 'value' });
  assert.deepEqual(exporter.getFinishedSpans()[0].attributes, {});
});

test("leanAttributeTracer's spans end with what the tracer's own startSpan() gives them", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanLimits: { attributeCountLimit: 3, attributeValueLengthLimit: 6 },
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('sdk-span-attributes');
  const attributes = {
    'messaging.system': 'rabbitmq',
    'messaging.operation.type': 'send',
    port: 5672,
    redelivered: false,
  };
  const options = { kind: SpanKind.PRODUCER, attributes };
  leanAttributeTracer(tracer).startSpan('publish orders', options).end();
  tracer.startSpan('publish orders', options).end();
  const [lean, sdk] = exporter.getFinishedSpans();
  assert.deepEqual(
    [lean.attributes, lean.droppedAttributesCount, lean.kind],
    [sdk.attributes, sdk.droppedAttributesCount, sdk.kind],
  );
  assert.equal(leanAttributeTracer(tracer), leanAttributeTracer(tracer), 'one wrapper per tracer');
});
