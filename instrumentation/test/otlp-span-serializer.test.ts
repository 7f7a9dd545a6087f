// Our http/protobuf span serializer must send what otlp-transformer's ProtobufTraceSerializer
// sends, whether it encodes spans at export or as they end: a collector decoding either request
// sees the same spans. Both are decoded with
// protobufjs against the OTLP trace schema and compared field by field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Link,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  createTraceState,
  trace,
} from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { type ReadableSpan, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { decodeTraceRequest } from './helpers/otlp-proto.ts';
import { EncodeOnEndProcessor } from '../src/traces/encode-on-end-processor.ts';
import { EncodedSpan } from '../src/traces/encoded-span.ts';
import { OtlpSpanSerializer } from '../src/traces/otlp-span-serializer.ts';

interface Decoded {
  resourceSpans: Array<{
    resource: { attributes: unknown[] };
    schemaUrl: string;
    scopeSpans: Array<{ scope: { name: string }; spans: Array<Record<string, unknown>> }>;
  }>;
}

function decode(bytes: Uint8Array | undefined): Decoded {
  assert.ok(bytes);
  return decodeTraceRequest(bytes) as unknown as Decoded;
}

function assertSameAsUpstream(spans: ReadableSpan[]): Decoded {
  const ours = decode(new OtlpSpanSerializer().serialize(spans));
  assert.deepStrictEqual(ours, decode(ProtobufTraceSerializer.serializeRequest(spans)));
  return ours;
}

// Strings around the one-byte length boundary (127 bytes), in ASCII, 2-, 3- and 4-byte UTF-8,
// and a lone surrogate (encoded as U+FFFD by both).
const STRINGS = [
  '',
  'a',
  'x'.repeat(42),
  'x'.repeat(43),
  'é'.repeat(42),
  '€'.repeat(43),
  '😀'.repeat(30),
  'ok\uD800',
  'y'.repeat(20000),
];
const ATTRIBUTES = {
  'http.request.method': 'GET',
  'url.path': '/orders/42',
  'http.response.status_code': 200,
  'ünïcødé.key': 'naïve — 日本語',
  negative: -1,
  'min.safe': Number.MIN_SAFE_INTEGER,
  large: 2 ** 40 + 3,
  huge: 2 ** 62,
  'beyond.int64': 2 ** 64,
  double: 3.25,
  tiny: -1e-300,
  infinity: Infinity,
  nan: NaN,
  yes: true,
  no: false,
  strings: ['a', 'ü', ''],
  numbers: [1, -2, 2.5],
  booleans: [true, false],
  'with.holes': ['a', null, undefined, 'b'],
  empty: [],
};

/** A span processor that keeps every span it is given, in `into`. */
function collecting(into: ReadableSpan[]): SpanProcessor {
  return {
    onStart: () => undefined,
    onEnd: (span) => into.push(span),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}

function sdkSpans(): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const collect = collecting(ended);
  const providerOf = (service: string, schemaUrl?: string) =>
    new TracerProvider({
      resource: resourceFromAttributes(
        { 'service.name': service, 'service.instance.id': 'é-1', pid: 4242 },
        { schemaUrl },
      ),
      spanProcessors: [collect],
      spanLimits: { attributeCountLimit: 30, eventCountLimit: 3, linkCountLimit: 3, attributePerLinkCountLimit: 2 },
    });
  const orders = providerOf('orders', 'https://opentelemetry.io/schemas/1.30.0');
  const payments = providerOf('paiements 💳');
  const http = orders.getTracer('@opentelemetry/instrumentation-http', '0.300.0', { schemaUrl: 'https://x/1.2' });
  const express = orders.getTracer('express');
  const consumer = payments.getTracer('amqp', '1.0.0');

  const remoteParent = {
    traceId: 'ABCDEF0123456789abcdef0123456789',
    spanId: '0123456789ABCDEF',
    traceFlags: 1,
    isRemote: true,
  };
  const links: Link[] = [
    { context: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: TraceFlags.NONE } },
    {
      context: { traceId: '3'.repeat(32), spanId: '4'.repeat(16), traceFlags: 1 },
      attributes: { a: 1, b: 'ü', c: [true] },
    },
    {
      context: { ...remoteParent, traceState: createTraceState('vendor=abc,other=x-1') },
      attributes: { 'link.kind': 'retry' },
    },
    { context: remoteParent },
  ];
  const server = http.startSpan(
    'GET /orders/:id',
    { kind: SpanKind.SERVER, attributes: ATTRIBUTES, links, startTime: [1_764_650_000, 123_456_789] },
    trace.setSpanContext(ROOT_CONTEXT, { ...remoteParent, traceState: createTraceState('congo=t61rcWkgMzE') }),
  );
  for (let i = 0; i < 5; i++)
    server.addEvent(`event ${i}`, { 'exception.message': STRINGS[i] ?? '', attempt: i }, [1_764_650_000, i]);
  for (let i = 0; i < 15; i++) server.setAttribute(`extra.${i}`, STRINGS[i % STRINGS.length] ?? '');
  server.setStatus({ code: SpanStatusCode.ERROR, message: 'payment déclinée' });
  server.end([1_764_650_001, 999_999_999]);

  const child = express.startSpan(
    'middleware - query',
    { kind: SpanKind.INTERNAL },
    trace.setSpan(ROOT_CONTEXT, server),
  );
  child.setStatus({ code: SpanStatusCode.OK });
  child.end();
  const local = http.startSpan(
    'GET',
    { kind: SpanKind.CLIENT, attributes: { 'server.port': 5672 } },
    trace.setSpan(ROOT_CONTEXT, server),
  );
  local.end();
  for (const [i, name] of STRINGS.entries()) {
    consumer
      .startSpan(name, {
        kind: i % 2 ? SpanKind.CONSUMER : SpanKind.PRODUCER,
        attributes: { 'messaging.system': name },
      })
      .end();
    http.startSpan(`span ${i}`, { kind: SpanKind.SERVER }).end();
  }
  return ended;
}

test('spans from the SDK encode as upstream encodes them: resources, scopes, attributes, events, links, status, flags', () => {
  const spans = sdkSpans();
  const decoded = assertSameAsUpstream(spans);

  // What a collector sees, so that equal-but-empty messages cannot pass.
  assert.deepStrictEqual(
    decoded.resourceSpans.map((r) => r.scopeSpans.map((s) => `${s.scope.name}:${s.spans.length}`)),
    [['@opentelemetry/instrumentation-http:11', 'express:1'], ['amqp:9']],
  );
  const server = decoded.resourceSpans[0]?.scopeSpans[0]?.spans[0];
  assert.equal(server?.name, 'GET /orders/:id');
  assert.equal(server?.startTimeUnixNano, '1764650000123456789');
  assert.deepStrictEqual(
    (server?.links as Array<{ flags: number; droppedAttributesCount: number }>).map((l) => [
      l.flags,
      l.droppedAttributesCount,
    ]),
    [
      [0x101, 1],
      [0x301, 0],
      [0x301, 0],
    ],
  );
  assert.equal(server?.flags, 0x301);
  assert.equal(server?.droppedLinksCount, 1);
  assert.equal(server?.droppedEventsCount, 2);
});

test('bytes, key-value lists, scope attributes and batches past 2 MiB encode as upstream encodes them', () => {
  const [sdkSpan] = sdkSpans();
  assert.ok(sdkSpan);
  const template = plain(sdkSpan);
  const scope = {
    name: 'scoped',
    version: '2',
    schemaUrl: 'https://s',
    attributes: { team: 'payments', shard: 3 },
    droppedAttributesCount: 1,
  };
  const resource = resourceFromAttributes({ 'service.name': 'bytes' });
  const odd: ReadableSpan = {
    ...template,
    name: 'odd',
    kind: SpanKind.PRODUCER,
    spanContext: () => ({ traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), traceFlags: 0 }),
    parentSpanContext: undefined,
    resource,
    instrumentationScope: scope,
    attributes: {
      bytes: new Uint8Array([0, 1, 255]),
      map: { nested: { deeper: [1, 'two', { three: 3 }] }, empty: {} },
      missing: undefined,
    },
    droppedAttributesCount: 7,
  };
  // Some 2.4 MB: lengths of 3 and 4 bytes for scope and resource spans.
  const many = Array.from({ length: 120 }, (_, i) => ({
    ...template,
    name: `bulk ${i}`,
    attributes: { body: 'z'.repeat(20000) },
  }));
  const decoded = assertSameAsUpstream([odd, ...many, { ...odd, name: 'odd again' }]);
  assert.equal(decoded.resourceSpans.length, 2);
  assert.equal(decoded.resourceSpans[1]?.scopeSpans[0]?.spans.length, 120);
});

test('values repeated across spans and exports, whose encodings are kept, encode as upstream encodes them', () => {
  const [sdkSpan] = sdkSpans();
  assert.ok(sdkSpan);
  const template = plain(sdkSpan);
  // One key takes values of each type under the same text (1, '1', true); one varies past the
  // number of values kept per key; others repeat values too long to keep.
  const spanWith = (i: number): ReadableSpan => ({
    ...template,
    name: `repeat ${i}`,
    attributes: {
      'messaging.system': 'rabbitmq',
      'server.port': 5672,
      'http.response.status_code': i % 3 === 0 ? 200 : 503,
      ratio: 0.25,
      nan: NaN,
      redelivered: i % 2 === 0,
      mixed: [1, '1', true][i % 3],
      'url.path': `/orders/${i}`,
      long: 'l'.repeat(300),
      // Short enough to try, too long once encoded with its key.
      'user_agent.original': 'u'.repeat(120),
      accents: 'é'.repeat(100),
      'ünï.key': 'naïve — 日本語',
    },
  });
  const serializer = new OtlpSpanSerializer();
  for (const exportIndex of [0, 1, 2]) {
    const spans = Array.from({ length: 25 }, (_, i) => spanWith(exportIndex * 25 + i));
    const body = serializer.serialize(spans);
    assert.deepStrictEqual(
      decode(body),
      decode(ProtobufTraceSerializer.serializeRequest(spans)),
      `export ${exportIndex}`,
    );
    serializer.release(body);
  }
});

test('spans encoded as they end and queued as bytes are sent as upstream encodes the spans', () => {
  const spans = sdkSpans(); // one span of some 20 KB among them
  const queued: ReadableSpan[] = [];
  const encoding = new EncodeOnEndProcessor(collecting(queued));
  const template = plain(spans[0]);
  const unsampled: ReadableSpan = {
    ...template,
    spanContext: () => ({ traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), traceFlags: TraceFlags.NONE }),
  };
  const unreadable: ReadableSpan = {
    ...template,
    get attributes(): ReadableSpan['attributes'] {
      throw new Error('attributes gone');
    },
  };
  for (const span of [...spans, unsampled, unreadable]) encoding.onEnd(span);
  assert.equal(queued.length, spans.length + 1, 'the unsampled span is not queued');
  assert.equal(queued.pop(), unreadable, 'a span that cannot be encoded is queued as it is');
  assert.ok(
    queued.every((item) => item instanceof EncodedSpan),
    'bytes are queued, not spans',
  );

  // Several batches, each serialized before the next is encoded: the slabs of one serve the
  // next, and every batch still reads as its own spans.
  const serializer = new OtlpSpanSerializer();
  const first = queued.splice(0);
  const renamed = (batchIndex: number) => spans.map((span) => ({ ...plain(span), name: `batch ${batchIndex}` }));
  assert.deepStrictEqual(decode(serializer.serialize(first)), decode(ProtobufTraceSerializer.serializeRequest(spans)));
  for (const batchIndex of [1, 2, 3, 4]) {
    for (const span of renamed(batchIndex)) encoding.onEnd(span);
    assert.deepStrictEqual(
      decode(serializer.serialize(queued.splice(0))),
      decode(ProtobufTraceSerializer.serializeRequest(renamed(batchIndex))),
      `batch ${batchIndex}`,
    );
  }
  // Their bytes may be another span's by now: a second copy fails the export, never sends them.
  assert.throws(() => serializer.serialize(first), /copied into a request twice/);
});

/** A ReadableSpan as a plain object (SDK spans keep some fields on their prototype). */
function plain(span: ReadableSpan): ReadableSpan {
  const { name, kind, spanContext, parentSpanContext, startTime, endTime, status, attributes, links, events } = span;
  const {
    duration,
    ended,
    resource,
    instrumentationScope,
    droppedAttributesCount,
    droppedEventsCount,
    droppedLinksCount,
  } = span;
  return {
    name,
    kind,
    spanContext: spanContext.bind(span),
    parentSpanContext,
    startTime,
    endTime,
    status,
    attributes,
    links,
    events,
    duration,
    ended,
    resource,
    instrumentationScope,
    droppedAttributesCount,
    droppedEventsCount,
    droppedLinksCount,
  };
}
