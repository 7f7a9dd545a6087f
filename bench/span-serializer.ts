// Run by hand: `node bench/span-serializer.ts`. What encoding a batch of finished SERVER spans
// as an OTLP/protobuf request costs per span on the main thread: otlp-transformer's
// ProtobufTraceSerializer (what exporter-trace-otlp-proto uses) against the package's
// OtlpSpanSerializer, in alternating rounds in one process. The spans are made once by the real
// SDK, with the attributes of an express request's SERVER span and a service's resource.
// BENCH_BATCH sets the spans per export (the BatchSpanProcessor's default is 512).
import { SpanKind } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { type ReadableSpan, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { OtlpSpanSerializer } from '../instrumentation/src/traces/otlp-span-serializer.ts';

const BATCH = Number(process.env['BENCH_BATCH'] ?? 512);
const SPANS_PER_ROUND = 200_000;
const ROUNDS = 15;

function serverSpans(count: number): ReadableSpan[] {
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
  const tracer = new TracerProvider({ resource, spanProcessors: [collect] }).getTracer(
    '@hopscope/instrumentation-http-server',
    '0.1.0',
  );
  for (let i = 0; i < count; i++) {
    const id = String(1000 + i);
    tracer
      .startSpan('GET /orders/:id', {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': 'GET',
          'url.path': `/orders/${id}`,
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
      })
      .end();
  }
  return spans;
}

const spans = serverSpans(BATCH);
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

function microsPerSpan(serialize: (batch: ReadableSpan[]) => Uint8Array | undefined): number {
  const exports = Math.max(1, Math.round(SPANS_PER_ROUND / BATCH));
  // CPU time, not wall time: on a shared machine the process is often preempted mid-round.
  const start = process.cpuUsage();
  for (let i = 0; i < exports; i++) serialize(spans);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (exports * BATCH);
}

// Warm up both, so that neither is measured before the JIT has optimized it.
for (let i = 0; i < 3; i++) for (const serialize of Object.values(candidates)) microsPerSpan(serialize);
const results: Record<string, number[]> = Object.fromEntries(Object.keys(candidates).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  const names = Object.keys(candidates);
  if (round % 2) names.reverse();
  for (const name of names) results[name]?.push(microsPerSpan(candidates[name]));
}
console.log(`${BATCH} SERVER spans per export, ${ROUNDS} alternating rounds of ${SPANS_PER_ROUND} spans`);
for (const [name, times] of Object.entries(results)) {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  const bytes = candidates[name]?.(spans)?.length ?? 0;
  console.log(
    `${name.padEnd(42)} ${median.toFixed(3)} µs/span (min ${sorted[0]?.toFixed(3)}, max ${sorted.at(-1)?.toFixed(3)}), ${(bytes / BATCH).toFixed(0)} B/span`,
  );
}
