// Run by hand: `node bench/span-serializer.ts`. What encoding a batch of finished spans as an
// OTLP/protobuf request costs per span on the main thread: otlp-transformer's
// ProtobufTraceSerializer (what exporter-trace-otlp-proto uses) against the package's
// OtlpSpanSerializer, in alternating rounds in one process. The spans are made once by the real
// SDK, with a service's resource and the attributes of an express request's SERVER span, then
// of instrumentation-amqplib's CONSUMER span. BENCH_BATCH sets the spans per export (the
// BatchSpanProcessor's default is 512).
import { type Attributes, SpanKind } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { type ReadableSpan, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { OtlpSpanSerializer } from '../instrumentation/src/traces/otlp-span-serializer.ts';

const BATCH = Number(process.env['BENCH_BATCH'] ?? 512);
const SPANS_PER_ROUND = 200_000;
const ROUNDS = 15;

type Shape = 'http server' | 'amqplib consumer';
const SCOPES: Record<Shape, string> = {
  'http server': '@hopscope/instrumentation-http-server',
  'amqplib consumer': '@opentelemetry/instrumentation-amqplib',
};
// Span i of each shape: what varies from one request or message to the next varies here too.
const SHAPES: Record<Shape, (i: number) => { name: string; kind: SpanKind; attributes: Attributes }> = {
  'http server': (i) => ({
    name: 'GET /orders/:id',
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'url.path': `/orders/${1000 + i}`,
      'url.scheme': 'http',
      'http.route': '/orders/:id',
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
      'server.port': 3000,
      'client.address': '127.0.0.1',
      'network.peer.address': '127.0.0.1',
      'network.peer.port': 40000 + (i % 20000),
      'network.protocol.version': '1.1',
      'user_agent.original': 'autocannon',
    },
  }),
  'amqplib consumer': (i) => ({
    name: 'orders process',
    kind: SpanKind.CONSUMER,
    attributes: {
      'messaging.protocol_version': '0.9.1',
      'messaging.url': 'amqp://guest:***@rabbitmq:5672',
      'messaging.protocol': 'AMQP',
      'server.address': 'rabbitmq',
      'server.port': 5672,
      'messaging.system': 'rabbitmq',
      'messaging.destination': 'orders',
      'messaging.destination_kind': 'topic',
      'messaging.rabbitmq.routing_key': 'order.placed',
      'messaging.operation': 'process',
      'messaging.message_id': `order-${1000 + i}`,
      'messaging.rabbitmq.message.redelivered': false,
    },
  }),
};

function sdkSpans(shape: Shape, count: number): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  const collect: SpanProcessor = {
    onStart: () => undefined,
    onEnd: (span) => void spans.push(span),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const resource = resourceFromAttributes({
    'service.name': 'orders',
    'service.version': '1.4.2',
    'service.instance.id': 'b7c9a0e2-5d1f-4a43-9d2e-0f6c1c7e8a11',
    'deployment.environment.name': 'production',
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.version': '3.0.0',
    'host.name': 'orders-7d9f8c-x2k4q',
    'process.pid': 4242,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': '24.21.0',
  });
  const tracer = new TracerProvider({ resource, spanProcessors: [collect] }).getTracer(SCOPES[shape], '0.1.0');
  for (let i = 0; i < count; i++) {
    const { name, kind, attributes } = SHAPES[shape](i);
    tracer.startSpan(name, { kind, attributes }).end();
  }
  return spans;
}

const ours = new OtlpSpanSerializer();
const candidates: Record<string, (batch: ReadableSpan[]) => Uint8Array | undefined> = {
  'otlp-transformer ProtobufTraceSerializer': (batch) => ProtobufTraceSerializer.serializeRequest(batch),
  // The exporter hands each body's buffer back when its export is done: here, at once.
  'hopscope OtlpSpanSerializer': (batch) => {
    const body = ours.serialize(batch);
    ours.release(body);
    return body;
  },
};

function microsPerSpan(spans: ReadableSpan[], serialize: (batch: ReadableSpan[]) => Uint8Array | undefined): number {
  const exports = Math.max(1, Math.round(SPANS_PER_ROUND / BATCH));
  // CPU time, not wall time: on a shared machine the process is often preempted mid-round.
  const start = process.cpuUsage();
  for (let i = 0; i < exports; i++) serialize(spans);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (exports * BATCH);
}

for (const shape of Object.keys(SHAPES) as Shape[]) {
  const spans = sdkSpans(shape, BATCH);
  // Warm up both, so that neither is measured before the JIT has optimized it.
  for (let i = 0; i < 3; i++) for (const serialize of Object.values(candidates)) microsPerSpan(spans, serialize);
  const results: Record<string, number[]> = Object.fromEntries(Object.keys(candidates).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const names = Object.keys(candidates);
    if (round % 2) names.reverse();
    for (const name of names) results[name]?.push(microsPerSpan(spans, candidates[name]));
  }
  console.log(`${BATCH} ${shape} spans per export, ${ROUNDS} alternating rounds of ${SPANS_PER_ROUND} spans`);
  for (const [name, times] of Object.entries(results)) {
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
    const bytes = candidates[name]?.(spans)?.length ?? 0;
    console.log(
      `  ${name.padEnd(42)} ${median.toFixed(3)} µs/span (min ${sorted[0]?.toFixed(3)}, max ${sorted.at(-1)?.toFixed(3)}), ${(bytes / BATCH).toFixed(0)} B/span`,
    );
  }
}
