// The RED metrics add to prom-client's series directly once a series exists (src/metrics/series.ts,
// for speed). What a scrape shows must be exactly what prom-client's own observe()/inc() would
// have made: counts, sums, every bucket, the exemplar of the latest sampled span in each
// bucket, and series that come back after the registry is reset.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  type ReadableSpan,
  type SpanProcessor,
  TracerProvider,
  createAlwaysRecordSampler,
} from '@opentelemetry/sdk-trace';
import { SpanMetricsProcessor } from '../src/metrics/span-metrics-processor.ts';
import { createRegistry, createTelemetryMetrics, type TelemetryMetrics } from '../src/metrics/telemetry-metrics.ts';

const HTTP = '@opentelemetry/instrumentation-http';
const AMQPLIB = '@opentelemetry/instrumentation-amqplib';

interface Made {
  scope: string;
  kind: SpanKind;
  attributes: Attributes;
  seconds: number;
  sampled: boolean;
  error?: boolean;
}

function ended(made: Made): ReadableSpan {
  let span: ReadableSpan | undefined;
  const collect: SpanProcessor = {
    onStart: () => undefined,
    onEnd: (s) => void (span = s),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const sampler = createAlwaysRecordSampler(made.sampled ? new AlwaysOnSampler() : new AlwaysOffSampler());
  const tracer = new TracerProvider({ sampler, spanProcessors: [collect] }).getTracer(made.scope);
  const started = Date.now();
  const s = tracer.startSpan('span', { kind: made.kind, attributes: made.attributes, startTime: started });
  if (made.error) s.setStatus({ code: SpanStatusCode.ERROR });
  s.end(started + made.seconds * 1000);
  return span!;
}

/** The same spans through prom-client's public API, as the processor used to record them. */
function recordPublicly(metrics: TelemetryMetrics, span: ReadableSpan, made: Made): void {
  const a = made.attributes;
  const seconds = span.duration[0] + span.duration[1] / 1e9;
  const exemplarLabels = made.sampled
    ? { trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId }
    : {};
  const error = made.error ? '_OTHER' : '';
  if (made.kind === SpanKind.SERVER) {
    const labels = {
      http_request_method: String(a['http.request.method']),
      http_response_status_code: String(a['http.response.status_code']),
      error_type: error,
      http_route: String(a['http.route']),
    };
    metrics.httpServerDuration.observe({ labels, value: seconds, exemplarLabels });
  } else {
    const labels = {
      messaging_system: 'rabbitmq',
      messaging_destination_name: String(a['messaging.destination.name']),
      messaging_operation_name: 'process',
      error_type: error,
    };
    metrics.messagesConsumed.inc(labels);
    metrics.messageProcessDuration.observe({ labels, value: seconds, exemplarLabels });
  }
}

const server = (route: string, status: number, seconds: number, sampled: boolean, error = false): Made => ({
  scope: HTTP,
  kind: SpanKind.SERVER,
  attributes: { 'http.request.method': 'GET', 'http.route': route, 'http.response.status_code': status },
  seconds,
  sampled,
  error,
});
const consumer = (queue: string, seconds: number, sampled: boolean): Made => ({
  scope: AMQPLIB,
  kind: SpanKind.CONSUMER,
  attributes: { 'messaging.system': 'rabbitmq', 'messaging.destination.name': queue },
  seconds,
  sampled,
});

// Repeated label sets, every bucket and +Inf, sampled spans followed by unsampled ones in the
// same bucket (the exemplar stays the sampled one's).
const TRAFFIC: Made[] = [
  ...[0.001, 0.004, 0.02, 0.02, 0.3, 0.3, 2, 7, 12, 40].flatMap((seconds, i) => [
    server('/orders', 200, seconds, i % 3 !== 2),
    server('/orders', 200, seconds, false),
    server('/orders/:id', 404, seconds / 2, true),
    server('/orders', 500, seconds, i % 2 === 0, true),
    consumer('orders', seconds, i % 2 === 1),
  ]),
];

async function scrape(metrics: TelemetryMetrics): Promise<string> {
  const text = await metrics.registry.metrics();
  // Exemplar timestamps are the time of recording, different between the two registries.
  return text.replace(/(# \{[^}]*\} \S+) \d+(\.\d+)?/g, '$1 <time>');
}

test('the RED metrics scrape as prom-client’s own observe() and inc() make them, also after a reset', async () => {
  const fast = createTelemetryMetrics(createRegistry(), { runtimeMetrics: false });
  const reference = createTelemetryMetrics(createRegistry(), { runtimeMetrics: false });
  const processor = new SpanMetricsProcessor(fast);
  const play = (traffic: Made[]) => {
    for (const made of traffic) {
      const span = ended(made);
      processor.onEnd(span);
      recordPublicly(reference, span, made);
    }
  };

  play(TRAFFIC);
  const scraped = await scrape(fast);
  assert.match(scraped, /http_server_request_duration_seconds_bucket\{[^}]*\} \d+ # \{trace_id="[0-9a-f]{32}"/);
  assert.equal(scraped, await scrape(reference));

  fast.registry.resetMetrics();
  reference.registry.resetMetrics();
  play(TRAFFIC.slice(0, 12));
  assert.equal(await scrape(fast), await scrape(reference), 'after a reset');
});
