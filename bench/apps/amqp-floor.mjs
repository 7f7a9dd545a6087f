// The RabbitMQ floor: amqp-loop.mjs run with this module preloaded (`--import`), which gives
// its messages the full variant's telemetry written by hand for this one loop, with nothing
// general, as a lower bound on what that telemetry costs on this machine: a PRODUCER span per
// publish, ended at the broker's confirm, its context in a `traceparent` header; a CONSUMER span
// per delivery, the producer's child, held in an AsyncLocalStorage while the handler runs and
// ended at the ack; both with instrumentation-amqplib's attributes; the messaging metrics
// (messages sent and consumed, the process-duration histogram with the span as exemplar, bucket
// counts kept by hand); spans encoded as OTLP/protobuf as they end and posted 512 at a time. No
// sampler, span processors, baggage, attribute checks, metrics endpoint or error handling: not a
// product, a yardstick, as express-json-floor.mjs is for the HTTP stages.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Writer, encodedKey, keyValue, post, requestBody } from './floor-otlp.mjs';

const SERVICE = process.env.OTEL_SERVICE_NAME ?? 'bench';
const ENDPOINT = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const BATCH = 512;
const SPAN = Symbol('floor span');
// The classes the loop's channels are made of (amqplib exports only its API, so by file path).
const require = createRequire(import.meta.url);
const { Channel, ConfirmChannel } = require(join(dirname(require.resolve('amqplib')), 'lib/channel_model.js'));

// Ids from a pool of random bytes, refilled when spent.
const pool = Buffer.alloc(24 * 1024);
let poolAt = pool.length;
function randomHex(bytes) {
  if (poolAt + bytes > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += bytes;
  return pool.toString('hex', poolAt - bytes, poolAt);
}

function startSpan(kind, name, destination, routingKey, redelivered, parent) {
  return {
    kind,
    name,
    destination,
    routingKey,
    redelivered,
    traceId: parent?.traceId ?? randomHex(16),
    spanId: randomHex(8),
    parentSpanId: parent?.spanId,
    start: performance.timeOrigin + performance.now(),
  };
}

// The broker's address, as instrumentation-amqplib takes it from the connection URL.
const url = new URL(process.env.AMQP_URL ?? 'amqp://localhost');
url.password &&= '***';
const CONNECTION = [
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

// The messaging metrics, per destination: messages sent; messages consumed with their process
// duration, bucket counts, sum and each bucket's latest exemplar (what a scrape reads).
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const sent = new Map();
const consumed = new Map();
function observe(span, seconds) {
  if (span.kind === 4) {
    sent.set(span.destination, (sent.get(span.destination) ?? 0) + 1);
    return;
  }
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

let spans = new Writer(256 * 1024);
let spanCount = 0;

function endSpan(span) {
  const end = performance.timeOrigin + performance.now();
  observe(span, (end - span.start) / 1000);
  const w = spans;
  w.uint(0x12); // ScopeSpans.spans = 2
  const mark = w.begin();
  w.uint(0x0a);
  w.hexId(span.traceId);
  w.uint(0x12);
  w.hexId(span.spanId);
  if (span.parentSpanId) {
    w.uint(0x22);
    w.hexId(span.parentSpanId);
  }
  w.uint(0x2a);
  w.string(span.name);
  w.uint(0x30);
  w.uint(span.kind);
  w.uint(0x39);
  w.time(span.start);
  w.uint(0x41);
  w.time(end);
  for (const [key, value] of CONNECTION) keyValue(w, 0x4a, KEY[key], value);
  keyValue(w, 0x4a, KEY['messaging.system'], 'rabbitmq');
  keyValue(w, 0x4a, KEY['messaging.destination'], span.destination);
  keyValue(w, 0x4a, KEY['messaging.destination_kind'], 'topic');
  keyValue(w, 0x4a, KEY['messaging.rabbitmq.routing_key'], span.routingKey);
  if (span.kind === 5) {
    keyValue(w, 0x4a, KEY['messaging.operation'], 'process');
    keyValue(w, 0x4a, KEY['messaging.rabbitmq.message.redelivered'], span.redelivered);
  }
  w.uint(0x7a); // status = 15, empty (unset)
  w.uint(0);
  w.uint(0x85); // flags = 16, fixed32 (a two-byte tag): sampled, parent remote or not
  w.fixed32(span.parentSpanId ? 0x301 : 0x101);
  w.end(mark);
  if (++spanCount === BATCH) flushSpans();
}

function flushSpans() {
  if (spanCount === 0) return;
  post(`${ENDPOINT}/v1/traces`, requestBody(SERVICE, 'floor', spans.bytes()));
  spans = new Writer(spans.buffer.length);
  spanCount = 0;
}
setInterval(flushSpans, 5000).unref();

const context = new AsyncLocalStorage();

// A confirmed publish: the span ends when the broker confirms, and its context goes in the headers.
const publish = ConfirmChannel.prototype.publish;
ConfirmChannel.prototype.publish = function (exchange, routingKey, content, options, callback) {
  const span = startSpan(4, `publish ${exchange || '<default>'}`, exchange, routingKey, false, context.getStore());
  options = { ...options, headers: { ...options?.headers, traceparent: `00-${span.traceId}-${span.spanId}-01` } };
  return publish.call(this, exchange, routingKey, content, options, (err, ok) => {
    endSpan(span);
    callback?.(err, ok);
  });
};

// A delivery: the span is the producer's child, current while the handler runs, ended at the ack.
const consume = Channel.prototype.consume;
Channel.prototype.consume = function (queue, callback, options) {
  return consume.call(
    this,
    queue,
    (msg) => {
      if (msg === null) return callback(msg);
      const traceparent = msg.properties.headers?.traceparent;
      const parent =
        typeof traceparent === 'string' && traceparent.length === 55
          ? { traceId: traceparent.slice(3, 35), spanId: traceparent.slice(36, 52) }
          : undefined;
      const { exchange, routingKey, redelivered } = msg.fields;
      const span = startSpan(5, `${queue} process`, exchange, routingKey, redelivered, parent);
      msg[SPAN] = span;
      context.run(span, callback, msg);
    },
    options,
  );
};

const ack = Channel.prototype.ack;
Channel.prototype.ack = function (message, allUpTo) {
  const span = message[SPAN];
  if (span) endSpan(span);
  return ack.call(this, message, allUpTo);
};

// The loop ends by disconnecting its IPC channel; what is left of the spans goes then.
process.once('disconnect', flushSpans);
