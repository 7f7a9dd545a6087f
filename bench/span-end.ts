// Run by hand: `node bench/span-end.ts`. What the RED metrics cost per finished span: the
// SpanMetricsProcessor's onEnd, on spans made by the real SDK under the package's sampler
// (every span recorded, the unsampled ones too) with the scopes of the package's
// instrumentations, observed on an OpenMetrics registry (exemplars on) as start() sets up. The
// spans are made once and ended once; the loop replays onEnd on them, so the numbers are the
// processor alone. BENCH_SPANS sets the onEnd calls per measurement.
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  type ReadableSpan,
  type SpanProcessor,
  TracerProvider,
  createAlwaysRecordSampler,
} from '@opentelemetry/sdk-trace';
import { SpanMetricsProcessor } from '../instrumentation/src/metrics/span-metrics-processor.ts';
import { createRegistry, createTelemetryMetrics } from '../instrumentation/src/metrics/telemetry-metrics.ts';

const SPANS = Number(process.env['BENCH_SPANS'] ?? 200_000);
const ROUNDS = 5;

// SERVER spans come from the package's own HTTP server instrumentation, CLIENT spans from
// instrumentation-http (instrumented-libraries.ts).
const HTTP_SERVER_SCOPE = '@hopscope/instrumentation-http-server';
const HTTP_CLIENT_SCOPE = '@opentelemetry/instrumentation-http';
const AMQPLIB_SCOPE = '@opentelemetry/instrumentation-amqplib';

interface SpanShape {
  scope: string;
  kind: SpanKind;
  attributes: Attributes;
  error?: boolean;
}

// What a service's traffic ends: a few routes and statuses, so the label sets repeat as they
// do in production, not one series only.
const routes = ['/orders', '/orders/:id', '/health'];
const SHAPES: Record<string, SpanShape[]> = {
  'http server': routes.flatMap((route, i) =>
    [200, 404].map((status) => ({
      scope: HTTP_SERVER_SCOPE,
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': i === 0 ? 'POST' : 'GET',
        'http.route': route,
        'http.response.status_code': status,
        'url.path': route,
        'server.address': 'localhost',
        'server.port': 3000,
        'user_agent.original': 'autocannon',
      },
    })),
  ),
  'http server, old conventions': [
    {
      scope: HTTP_SERVER_SCOPE,
      kind: SpanKind.SERVER,
      attributes: { 'http.method': 'GET', 'http.route': '/orders', 'http.status_code': 200, 'http.target': '/orders' },
    },
  ],
  'http server, error': [
    {
      scope: HTTP_SERVER_SCOPE,
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'GET', 'http.route': '/orders', 'http.response.status_code': 500 },
      error: true,
    },
  ],
  'http client': [
    {
      scope: HTTP_CLIENT_SCOPE,
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'server.address': 'payments',
        'server.port': 8080,
        'url.full': 'http://payments:8080/charges',
      },
    },
  ],
  'amqp consumer': [
    {
      scope: AMQPLIB_SCOPE,
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.destination.name': 'orders',
        'messaging.rabbitmq.destination.routing_key': 'orders',
      },
    },
  ],
  'amqp producer': [
    {
      scope: AMQPLIB_SCOPE,
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'rabbitmq', 'messaging.destination.name': 'orders' },
    },
  ],
  'application span (not measured)': [{ scope: 'my-app', kind: SpanKind.INTERNAL, attributes: { 'order.id': 'o-1' } }],
};

/** Ended spans of these shapes, as the SDK hands them to its processors. */
function endedSpans(shapes: SpanShape[], sampled: boolean): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  const collect: SpanProcessor = {
    onStart: () => undefined,
    onEnd: (span) => void spans.push(span),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const sampler = createAlwaysRecordSampler(sampled ? new AlwaysOnSampler() : new AlwaysOffSampler());
  const provider = new TracerProvider({ sampler, spanProcessors: [collect] });
  for (const shape of shapes) {
    const span = provider.getTracer(shape.scope).startSpan('span', { kind: shape.kind, attributes: shape.attributes });
    if (shape.error) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
  return spans;
}

const processor = new SpanMetricsProcessor(createTelemetryMetrics(createRegistry(), { runtimeMetrics: false }));

function nsPerSpan(spans: ReadableSpan[]): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < SPANS; i++) processor.onEnd(spans[i % spans.length]);
  return Number(process.hrtime.bigint() - started) / SPANS;
}

const CASES: Record<string, ReadableSpan[]> = {};
for (const [name, shapes] of Object.entries(SHAPES)) {
  CASES[`${name}, sampled`] = endedSpans(shapes, true);
  if (name.startsWith('http server') || name.startsWith('amqp consumer')) {
    CASES[`${name}, unsampled`] = endedSpans(shapes, false);
  }
}

const best: Record<string, number> = {};
// Interleaved rounds, best of each: JIT warm-up and noise hit every case alike.
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, spans] of Object.entries(CASES)) best[name] = Math.min(best[name] ?? Infinity, nsPerSpan(spans));
}
console.log('SpanMetricsProcessor.onEnd');
for (const [name, ns] of Object.entries(best)) console.log(`  ${name.padEnd(44)} ${ns.toFixed(0).padStart(6)} ns/span`);
