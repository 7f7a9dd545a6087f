// What both RabbitMQ floors (amqp-floor.mjs, amqp-floor-sdk.mjs) do with a finished span: the
// messaging metrics (messages sent; messages consumed with the process-duration histogram and the
// span as exemplar, bucket counts kept by hand), then the span encoded as OTLP/protobuf with
// instrumentation-amqplib's attributes and posted 512 at a time (floor-otlp.mjs).
import { SpanBatches, beginSpan, encodedKey, keyValue } from './floor-otlp.mjs';

export const PRODUCER = 4;
export const CONSUMER = 5;

// The broker's address, as instrumentation-amqplib takes it from the connection URL.
const url = new URL(process.env.AMQP_URL ?? 'amqp://localhost');
url.password &&= '***';
export const CONNECTION = [
  ['messaging.protocol_version', '0.9.1'],
  ['messaging.url', url.href],
  ['messaging.protocol', 'AMQP'],
  ['server.address', url.hostname],
  ['server.port', Number(url.port || 5672)],
];
const KEY = Object.fromEntries(
  [
    ...CONNECTION.map(([key]) => key),
    'messaging.system',
    'messaging.destination',
    'messaging.destination_kind',
    'messaging.rabbitmq.routing_key',
    'messaging.operation',
    'messaging.rabbitmq.message.redelivered',
  ].map((key) => [key, encodedKey(key)]),
);

const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const sent = new Map();
const consumed = new Map();
function observe(span) {
  if (span.kind === PRODUCER) {
    sent.set(span.destination, (sent.get(span.destination) ?? 0) + 1);
    return;
  }
  const seconds = (span.end - span.start) / 1000;
  let series = consumed.get(span.destination);
  if (!series) {
    series = { count: 0, counts: new Float64Array(BOUNDS.length + 1), sum: 0, exemplars: [] };
    consumed.set(span.destination, series);
  }
  let bucket = 0;
  while (bucket < BOUNDS.length && seconds > BOUNDS[bucket]) bucket++;
  series.count++;
  series.counts[bucket]++;
  series.sum += seconds;
  series.exemplars[bucket] = { traceId: span.traceId, spanId: span.spanId, value: seconds, at: Date.now() };
}

const spans = new SpanBatches(process.env.OTEL_EXPORTER_OTLP_ENDPOINT, process.env.OTEL_SERVICE_NAME ?? 'bench');

/**
 * A finished span: { kind, name, destination, routingKey, redelivered (consumer), traceId,
 * spanId, parentSpanId (hex; a consumer's parent is the remote producer), start, end (epoch ms) }.
 */
export function recordSpan(span) {
  observe(span);
  const w = spans.writer;
  const mark = beginSpan(w, span.traceId, span.spanId, span.parentSpanId);
  w.uint(0x2a);
  w.string(span.name);
  w.uint(0x30);
  w.uint(span.kind);
  w.uint(0x39);
  w.time(span.start);
  w.uint(0x41);
  w.time(span.end);
  for (const [key, value] of CONNECTION) keyValue(w, 0x4a, KEY[key], value);
  keyValue(w, 0x4a, KEY['messaging.system'], 'rabbitmq');
  keyValue(w, 0x4a, KEY['messaging.destination'], span.destination);
  keyValue(w, 0x4a, KEY['messaging.destination_kind'], 'topic');
  keyValue(w, 0x4a, KEY['messaging.rabbitmq.routing_key'], span.routingKey);
  if (span.kind === CONSUMER) {
    keyValue(w, 0x4a, KEY['messaging.operation'], 'process');
    keyValue(w, 0x4a, KEY['messaging.rabbitmq.message.redelivered'], span.redelivered);
  }
  w.uint(0x7a); // status = 15, empty (unset)
  w.uint(0);
  w.uint(0x85); // flags = 16, fixed32 (a two-byte tag): sampled, parent remote or none
  w.fixed32(span.parentSpanId ? 0x301 : 0x101);
  w.end(mark);
  spans.added();
}

// The loop ends by disconnecting its IPC channel; what is left of the spans goes then.
process.once('disconnect', () => spans.flush());
