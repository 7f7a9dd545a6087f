// RED and messaging metrics as a user reads them on /metrics: counted from the requests and
// messages the package's instrumentations see, never from spans the application makes itself,
// and a span the metrics cannot read never breaks the application's span.end() nor the export.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import type { Histogram } from 'prom-client';
import { forceFlush, start } from '../src/start.ts';
import { deleteQueues, uniqueQueue } from './helpers/queues.ts';
import { AMQP_URL } from './helpers/test-services.ts';

const exporter = new InMemorySpanExporter();
const telemetry = start({ spanExporter: exporter, serviceName: 'span-metrics', env: { OTEL_LOGS_EXPORTER: 'none' } });
// Loaded after start(), as the register flag guarantees: http and amqplib are instrumented.
const require = createRequire(import.meta.url);
const http = require('node:http') as typeof import('node:http');
const amqp = require('amqplib') as typeof import('amqplib');

/** Observations of a histogram (its _count samples), for the series matching `labels`. */
async function observations(histogram: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = telemetry.metrics.registry.getSingleMetric(histogram) as Histogram | undefined;
  assert.ok(metric, `${histogram} is registered`);
  const { values } = await metric.get();
  return values
    .filter((v) => v.metricName === `${histogram}_count`)
    .filter((v) => Object.entries(labels).every(([key, value]) => String(v.labels[key]) === value))
    .reduce((sum, v) => sum + v.value, 0);
}

async function counted(counter: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = telemetry.metrics.registry.getSingleMetric(counter);
  assert.ok(metric, `${counter} is registered`);
  return (await metric.get()).values
    .filter((v) => Object.entries(labels).every(([key, value]) => String(v.labels[key]) === value))
    .reduce((sum, v) => sum + v.value, 0);
}

test("the application's own CLIENT, SERVER and messaging spans add no request or message metrics", async () => {
  const before = {
    client: await observations('http_client_request_duration_seconds'),
    server: await observations('http_server_request_duration_seconds'),
    sent: await counted('messaging_client_sent_messages_total'),
    consumed: await counted('messaging_client_consumed_messages_total'),
  };
  const tracer = trace.getTracer('my-app');
  // A wrapper around an HTTP client, as applications write them: kind CLIENT, the method, no
  // server address and no status (the real request below it is what the metrics count).
  tracer.startSpan('call bank', { kind: SpanKind.CLIENT, attributes: { 'http.method': 'POST' } }).end();
  tracer.startSpan('call bank', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET' } }).end();
  tracer.startSpan('handle', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET' } }).end();
  tracer.startSpan('publish', { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka' } }).end();
  tracer.startSpan('process', { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'kafka' } }).end();

  assert.equal(await observations('http_client_request_duration_seconds'), before.client, 'no client observation');
  assert.equal(await observations('http_server_request_duration_seconds'), before.server, 'no server observation');
  assert.equal(await counted('messaging_client_sent_messages_total'), before.sent);
  assert.equal(await counted('messaging_client_consumed_messages_total'), before.consumed);
});

test('a real outgoing call is counted once, inside an application wrapper span', async (t) => {
  const server = http.createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const port = String((server.address() as AddressInfo).port);
  const before = await observations('http_client_request_duration_seconds', { server_port: port });

  const tracer = trace.getTracer('my-app');
  await tracer.startActiveSpan('call bank', { kind: SpanKind.CLIENT, attributes: { 'http.method': 'GET' } }, (span) =>
    fetch(`http://127.0.0.1:${port}/charges`)
      .then((response) => response.text())
      .finally(() => span.end()),
  );
  await new Promise<void>((resolve, reject) =>
    http
      .get(`http://127.0.0.1:${port}/refunds`, (response) => response.resume().on('end', resolve))
      .on('error', reject),
  );

  assert.equal(
    await observations('http_client_request_duration_seconds', { server_port: port }),
    before + 2,
    'one observation for the fetch (undici), one for http.get, none for the wrapper',
  );
  assert.equal(await observations('http_client_request_duration_seconds', { server_address: '' }), 0);
});

test('a real message published and consumed with amqplib is counted once each way', async (t) => {
  const queue = uniqueQueue('span-metrics');
  const connection = await amqp.connect(AMQP_URL);
  t.after(async () => {
    await connection.close();
    await deleteQueues(queue);
  });
  const channel = await connection.createChannel();
  await channel.assertQueue(queue);
  const labels = { messaging_destination_name: queue };
  const consumed = new Promise<void>((resolve) => {
    void channel.consume(queue, (msg) => {
      if (msg) channel.ack(msg);
      resolve();
    });
  });
  channel.sendToQueue(queue, Buffer.from('order'));
  await consumed; // amqplib's instrumentation ends the consumer span in ack()

  assert.equal(await counted('messaging_client_sent_messages_total', labels), 1);
  assert.equal(await counted('messaging_client_consumed_messages_total', labels), 1);
  assert.equal(await observations('messaging_process_duration_seconds', labels), 1);
});

test('a span the metrics cannot read neither throws from span.end() nor keeps the span from export', async () => {
  // Spans as the package's instrumentations name their tracer, so the metrics do read them,
  // with attribute values of types the metrics do not expect and times that make no duration.
  const http = trace.getTracer('@opentelemetry/instrumentation-http');
  const amqplib = trace.getTracer('@opentelemetry/instrumentation-amqplib');
  const odd = [
    http.startSpan('odd client', {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': ['GET', 'POST'],
        'http.response.status_code': true,
        'server.address': [1, 2],
        'server.port': 'eighty',
      },
    }),
    http.startSpan('odd server', {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'GET', 'http.route': [false], 'error.type': 42 },
    }),
    amqplib.startSpan('odd consumer', {
      kind: SpanKind.CONSUMER,
      attributes: { 'messaging.system': 7, 'messaging.destination.name': ['a', 'b'] },
    }),
  ];
  for (const span of odd) assert.doesNotThrow(() => span.end(Number.NaN), `${span.spanContext().spanId} ends`);
  const invalidStart = http.startSpan('invalid start', {
    kind: SpanKind.SERVER,
    startTime: new Date('not a date'),
    attributes: { 'http.request.method': 'GET' },
  });
  assert.doesNotThrow(() => invalidStart.end());
  http.startSpan('after them', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET' } }).end();

  await forceFlush();
  const exported = new Set(exporter.getFinishedSpans().map((span) => span.name));
  for (const name of ['odd client', 'odd server', 'odd consumer', 'invalid start', 'after them']) {
    assert.ok(exported.has(name), `"${name}" reached the exporter after the metrics processor`);
  }
});

test('a message span of an unknown or missing messaging.system is labelled as such, not rabbitmq', async () => {
  // As the package's amqplib instrumentation names its tracer, so that the metrics read them.
  const amqplib = trace.getTracer('@opentelemetry/instrumentation-amqplib');
  const destination = `system-label-${Date.now()}`;
  amqplib
    .startSpan('publish', {
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'Kafka', 'messaging.destination.name': destination },
    })
    .end();
  amqplib
    .startSpan('publish', { kind: SpanKind.PRODUCER, attributes: { 'messaging.destination.name': destination } })
    .end();

  const sent = (system: string) =>
    counted('messaging_client_sent_messages_total', {
      messaging_system: system,
      messaging_destination_name: destination,
    });
  assert.equal(await sent('kafka'), 1, 'the span’s own system, lower-cased as the conventions write them');
  assert.equal(await sent('_OTHER'), 1, 'no system: _OTHER, the conventions’ value for one not known');
  assert.equal(await sent('rabbitmq'), 0, 'neither is counted as rabbitmq');
});
