// Acceptance of the drop-in package: two services in their own processes (ESM + amqplib,
// CommonJS + rabbitmq-client), started with only the register flag, against the real
// RabbitMQ on localhost. One HTTP request must become exactly one trace across both.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, after, test } from 'node:test';
import { KIND, OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';
import { deleteQueues, uniqueQueue } from './helpers/queues.ts';
import { ServiceProcess } from './helpers/service-process.ts';

const receiver = new OtlpReceiver();
const queue = uniqueQueue('drop-in');
let api: ServiceProcess;
let worker: ServiceProcess;
let apiUrl: string;
const workerMetricsPort = 19464 + Math.floor(Math.random() * 500);

before(async () => {
  const otlp = await receiver.listen();
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp, ORDER_QUEUE: queue, BANK_URL: otlp };
  api = new ServiceProcess('order-api.mjs', { ...env, OTEL_SERVICE_NAME: 'order-api' });
  worker = new ServiceProcess('order-worker.cjs', {
    ...env,
    OTEL_SERVICE_NAME: 'order-worker',
    HOPSCOPE_METRICS_PORT: String(workerMetricsPort),
    HOPSCOPE_METRICS_HOST: '127.0.0.1',
  });
  const listening = await api.waitForLine('listening');
  apiUrl = `http://127.0.0.1:${String(listening['port'])}`;
  await worker.waitForLine('listening');
});

after(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await deleteQueues(queue);
  await receiver.close();
});

function spansOf(traceId: string): ReceivedSpan[] {
  return receiver.spans.filter((span) => span.traceId === traceId);
}

function ancestors(span: ReceivedSpan, spans: ReceivedSpan[]): ReceivedSpan[] {
  const chain: ReceivedSpan[] = [];
  for (let parent = spans.find((s) => s.spanId === span.parentSpanId); parent;) {
    chain.push(parent);
    parent = spans.find((s) => s.spanId === parent!.parentSpanId);
  }
  return chain;
}

test('one request → publish → consume → outgoing call is one trace with the right edges', async () => {
  const orderId = randomUUID();
  const response = await fetch(`${apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: orderId }),
  });
  assert.equal(response.status, 202);

  const server = await receiver.waitFor('the order-api server span', () =>
    receiver.spans.find(
      (s) => s.service === 'order-api' && s.kind === KIND.SERVER && s.attributes['http.route'] === '/orders',
    ),
  );
  const traceId = server.traceId;
  const client = await receiver.waitFor('the order-worker client span', () =>
    spansOf(traceId).find((s) => s.service === 'order-worker' && s.kind === KIND.CLIENT),
  );
  const spans = spansOf(traceId);

  assert.equal(server.parentSpanId, '', 'the server span is the root of the trace');
  const producer = spans.find((s) => s.kind === KIND.PRODUCER);
  assert.ok(producer, 'a PRODUCER span for the publish');
  assert.equal(producer.service, 'order-api');
  assert.ok(
    ancestors(producer, spans).some((s) => s.spanId === server.spanId),
    'the publish happens inside the request: the server span is an ancestor of the producer span',
  );
  const consumer = spans.find((s) => s.kind === KIND.CONSUMER);
  assert.ok(consumer, 'a CONSUMER span in the worker');
  assert.equal(consumer.service, 'order-worker');
  assert.equal(consumer.parentSpanId, producer.spanId, 'the consumer is the child of the producer');
  assert.equal(client.parentSpanId, consumer.spanId, 'the outgoing call is the child of the consumer');
  assert.equal(server.name, 'POST /orders', 'the server span is named after the express route');
  assert.deepEqual(
    spans
      .filter((s) => s.service === 'order-api')
      .map((s) => s.kind)
      .sort(),
    [KIND.SERVER, KIND.PRODUCER],
    'the api makes the server span and the publish, and no span per express layer (the default)',
  );
  assert.deepEqual(new Set(spans.map((s) => s.service)), new Set(['order-api', 'order-worker']));

  const bank = receiver.bankRequests.find((headers) => String(headers['traceparent']).includes(traceId));
  assert.ok(bank, 'the bank received the trace context');
  assert.equal(String(bank['traceparent']).split('-')[2], client.spanId, "the bank's parent is the client span");

  // Log lines on stdout and over OTLP carry the trace id, in both processes.
  await worker.waitForLine('order charged');
  for (const service of [api, worker]) {
    const line = service.lines.find((l) => l['order_id'] === orderId);
    assert.ok(line, 'a log line for the order');
    assert.equal(line['trace_id'], traceId);
    assert.match(String(line['span_id']), /^[0-9a-f]{16}$/);
  }
  assert.equal(api.lines.find((l) => l['order_id'] === orderId)?.['service_name'], 'order-api');
  const shipped = await receiver.waitFor('OTLP log records of both services', () => {
    const records = receiver.logs.filter((l) => l.traceId === traceId);
    return new Set(records.map((r) => r.service)).size === 2 && records;
  });
  assert.ok(shipped.some((r) => r.body === 'order received' && r.service === 'order-api'));
  assert.ok(shipped.some((r) => r.body === 'order consumed' && r.service === 'order-worker'));

  // The metrics carry that trace as exemplar: HTTP on the api, messaging on the worker.
  const apiMetrics = await (await fetch(`${apiUrl}/metrics`)).text();
  assert.match(
    apiMetrics,
    new RegExp(
      `http_server_request_duration_seconds_bucket\\{[^}]*http_route="/orders"[^}]*\\} \\d+ # \\{trace_id="${traceId}"`,
    ),
  );
  const workerMetrics = await (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).text();
  assert.match(
    workerMetrics,
    new RegExp(`messaging_process_duration_seconds_bucket\\{[^}]*\\} \\d+ # \\{trace_id="${traceId}"`),
  );
  assert.match(
    workerMetrics,
    /messaging_client_consumed_messages_total\{[^}]*messaging_system="rabbitmq"[^}]*\} [1-9]/,
  );
  assert.match(apiMetrics, /messaging_client_sent_messages_total\{[^}]*\} [1-9]/);
  assert.match(workerMetrics, /http_client_request_duration_seconds_bucket\{[^}]*http_request_method="POST"/);
});

test('the startup self-check names what is instrumented', () => {
  const line = api.stderr
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l['msg'] === 'hopscope telemetry started');
  assert.ok(line, `a startup line, got: ${api.stderr.join('\n')}`);
  assert.ok((line['instruments_when_loaded'] as string[]).includes('express'));
  assert.equal(line['warnings'], undefined);
});
