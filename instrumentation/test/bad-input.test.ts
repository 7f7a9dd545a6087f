// Malformed, oversized or hostile trace context never fails a request or a message: it
// starts a new trace and the service serves normally. Over HTTP and over AMQP headers,
// including AMQP header values that are not strings.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import amqp from 'amqplib';
import { KIND, OtlpReceiver } from './helpers/otlp-receiver.ts';
import { deleteQueues, uniqueQueue } from './helpers/queues.ts';
import { ServiceProcess } from './helpers/service-process.ts';
import { AMQP_URL } from './helpers/test-services.ts';

const receiver = new OtlpReceiver();
const queue = uniqueQueue('bad-input');
let api: ServiceProcess;
let worker: ServiceProcess;
let apiUrl: string;

before(async () => {
  const otlp = await receiver.listen();
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp, ORDER_QUEUE: queue, BANK_URL: otlp };
  api = new ServiceProcess('order-api.mjs', { ...env, OTEL_SERVICE_NAME: 'order-api' });
  worker = new ServiceProcess('order-worker.cjs', { ...env, OTEL_SERVICE_NAME: 'order-worker' });
  apiUrl = `http://127.0.0.1:${String((await api.waitForLine('listening'))['port'])}`;
  await worker.waitForLine('listening');
});

after(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await deleteQueues(queue);
  await receiver.close();
});

const FOREIGN_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const FOREIGN_PARENT = `00-${FOREIGN_TRACE}-00f067aa0ba902b7-01`;

const HOSTILE_HTTP_HEADERS: Array<[string, Record<string, string>]> = [
  ['garbage traceparent', { traceparent: 'not-a-traceparent' }],
  ['all-zero trace id', { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }],
  ['oversized traceparent', { traceparent: `${FOREIGN_PARENT}${'0'.repeat(4000)}` }],
  ['oversized tracestate', { traceparent: 'junk', tracestate: `k=${'v'.repeat(6000)}` }],
  ['hostile baggage', { baggage: `${'=;,%'.repeat(1000)}saga.id=${'x'.repeat(7000)}` }],
];

for (const [name, headers] of HOSTILE_HTTP_HEADERS) {
  test(`HTTP: ${name} → served, new trace`, async () => {
    const orderId = randomUUID();
    const response = await fetch(`${apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ id: orderId }),
    });
    assert.equal(response.status, 202);
    const line = await api
      .waitForLine('order received')
      .then(() => receiver.waitFor('the log line', () => api.lines.find((l) => l['order_id'] === orderId)));
    const traceId = String(line['trace_id']);
    assert.match(traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(traceId, FOREIGN_TRACE);
    const server = await receiver.waitFor('the server span', () =>
      receiver.spans.find((s) => s.traceId === traceId && s.kind === KIND.SERVER),
    );
    assert.equal(server.parentSpanId, '', 'a new trace: the server span has no parent');
  });
}

const HOSTILE_AMQP_HEADERS: Array<[string, Record<string, unknown>]> = [
  ['number traceparent', { traceparent: 12345 }],
  ['buffer traceparent', { traceparent: Buffer.from([0xff, 0x00, 0xfe]) }],
  ['table traceparent', { traceparent: { version: '00' } }],
  ['array traceparent', { traceparent: [1, 2, 3] }],
  ['oversized baggage', { traceparent: FOREIGN_PARENT.replace('-01', '-xx'), baggage: `k=${'v'.repeat(20000)}` }],
  ['boolean tracestate', { traceparent: true, tracestate: false }],
];

test('AMQP: hostile header values → every message consumed, each in a new trace', async (t) => {
  const connection = await amqp.connect(AMQP_URL);
  t.after(() => connection.close());
  const channel = await connection.createConfirmChannel();
  const orders = HOSTILE_AMQP_HEADERS.map(([name, headers]) => ({ name, headers, id: randomUUID() }));
  for (const order of orders) {
    channel.sendToQueue(queue, Buffer.from(JSON.stringify({ id: order.id })), { headers: order.headers });
  }
  await channel.waitForConfirms();

  for (const order of orders) {
    const line = await receiver.waitFor(`the consumed line of ${order.name}`, () =>
      worker.lines.find((l) => l['order_id'] === order.id && l['msg'] === 'order consumed'),
    );
    const consumer = await receiver.waitFor(`the consumer span of ${order.name}`, () =>
      receiver.spans.find((s) => s.traceId === line['trace_id'] && s.kind === KIND.CONSUMER),
    );
    assert.equal(consumer.parentSpanId, '', `${order.name}: a new trace`);
    assert.notEqual(consumer.traceId, FOREIGN_TRACE);
  }
});

test('AMQP: a valid traceparent (the control) is continued', async (t) => {
  const connection = await amqp.connect(AMQP_URL);
  t.after(() => connection.close());
  const channel = await connection.createConfirmChannel();
  const id = randomUUID();
  channel.sendToQueue(queue, Buffer.from(JSON.stringify({ id })), { headers: { traceparent: FOREIGN_PARENT } });
  await channel.waitForConfirms();
  const line = await receiver.waitFor('the consumed line', () =>
    worker.lines.find((l) => l['order_id'] === id && l['msg'] === 'order consumed'),
  );
  assert.equal(line['trace_id'], FOREIGN_TRACE);
});
