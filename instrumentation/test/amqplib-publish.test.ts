// amqplib publishes on plain and confirm channels: one PRODUCER span per message, ended when the
// broker confirms it, the caller's confirm callback inside that span, the consumer its child,
// which says whether the message was delivered before.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import type * as Amqp from 'amqplib';
import { forceFlush, start } from '../src/start.ts';
import { deleteQueues, uniqueQueue } from './helpers/queues.ts';
import { AMQP_URL } from './helpers/test-services.ts';

const exporter = new InMemorySpanExporter();
start({ spanExporter: exporter, serviceName: 'amqplib-publish', env: { OTEL_LOGS_EXPORTER: 'none' } });
const amqp = createRequire(import.meta.url)('amqplib') as typeof Amqp; // loaded after start(): instrumented
const tracer = trace.getTracer('test');

async function finished(): Promise<ReadableSpan[]> {
  await forceFlush();
  return exporter.getFinishedSpans();
}

async function openQueue(t: { after: (fn: () => Promise<void>) => void }, purpose: string) {
  const connection = await amqp.connect(AMQP_URL);
  const queue = uniqueQueue(purpose);
  t.after(async () => {
    await connection.close();
    await deleteQueues(queue);
  });
  const setup = await connection.createChannel();
  await setup.assertQueue(queue, { autoDelete: true });
  return { connection, queue };
}

function consumeOne(channel: Amqp.Channel, queue: string): Promise<Amqp.ConsumeMessage> {
  return new Promise((resolve) => {
    void channel.consume(queue, (msg) => {
      if (!msg) return; // the consumer is cancelled when the queue is deleted at the end
      channel.ack(msg);
      resolve(msg);
    });
  });
}

test('a confirmed publish is one PRODUCER span, its callback runs inside it, the consumer is its child', async (t) => {
  const { connection, queue } = await openQueue(t, 'confirm-publish');
  const publisher = await connection.createConfirmChannel();
  const consumer = await connection.createChannel();
  const consumed = consumeOne(consumer, queue);

  const { request, activeInCallback } = await tracer.startActiveSpan('POST /orders', async (span) => {
    const confirmed = new Promise<string | undefined>((resolve, reject) => {
      publisher.sendToQueue(queue, Buffer.from('{}'), { headers: { tenant: 'acme' } }, (err) =>
        err ? reject(err as Error) : resolve(trace.getActiveSpan()?.spanContext().spanId),
      );
    });
    const activeInCallback = await confirmed;
    span.end();
    return { request: span, activeInCallback };
  });
  const msg = await consumed;

  const spans = await finished();
  const producers = spans.filter((s) => s.kind === SpanKind.PRODUCER);
  assert.equal(producers.length, 1, 'one span for the message, not one per publish layer');
  const producer = producers[0];
  assert.equal(producer.name, 'publish <default>');
  assert.equal(producer.attributes['messaging.rabbitmq.routing_key'], queue);
  assert.equal(producer.status.code, SpanStatusCode.UNSET);
  assert.equal(producer.parentSpanContext?.spanId, request.spanContext().spanId);
  assert.equal(activeInCallback, producer.spanContext().spanId, 'the confirm callback runs in the publish span');
  assert.equal(msg.properties.headers?.['tenant'], 'acme', "the caller's headers are kept");
  const consumerSpan = spans.find((s) => s.kind === SpanKind.CONSUMER && s.name === `${queue} process`);
  assert.equal(consumerSpan?.parentSpanContext?.spanId, producer.spanContext().spanId);
  assert.equal(consumerSpan?.attributes['messaging.rabbitmq.message.redelivered'], false);
  assert.equal(trace.getActiveSpan(), undefined, 'nothing is left active after the publish');
  exporter.reset();
});

test('confirmed publishes without a callback end their spans when the broker confirms them', async (t) => {
  const { connection, queue } = await openQueue(t, 'confirm-no-callback');
  const publisher = await connection.createConfirmChannel();
  for (let i = 0; i < 3; i++) publisher.publish('', queue, Buffer.from(String(i)));
  await publisher.waitForConfirms();

  const producers = (await finished()).filter(
    (s) => s.kind === SpanKind.PRODUCER && s.attributes['messaging.rabbitmq.routing_key'] === queue,
  );
  assert.equal(producers.length, 3);
  exporter.reset();
});

test('a publish on a plain channel is one PRODUCER span, ended when it returns', async (t) => {
  const { connection, queue } = await openQueue(t, 'plain-publish');
  const channel = await connection.createChannel();
  const consumed = consumeOne(channel, queue);
  const request = tracer.startActiveSpan('POST /orders', (span) => {
    assert.equal(channel.sendToQueue(queue, Buffer.from('{}'), { headers: { tenant: 'acme' } }), true);
    span.end();
    return span;
  });
  const msg = await consumed;

  const spans = await finished();
  const producers = spans.filter((s) => s.kind === SpanKind.PRODUCER);
  assert.equal(producers.length, 1);
  assert.equal(producers[0].parentSpanContext?.spanId, request.spanContext().spanId);
  assert.equal(msg.properties.headers?.['tenant'], 'acme');
  const { traceId, spanId } = producers[0].spanContext();
  assert.match(String(msg.properties.headers?.['traceparent']), new RegExp(`^00-${traceId}-${spanId}-0[13]$`));
  exporter.reset();
});

test('a message requeued by a nack is consumed again with messaging.rabbitmq.message.redelivered true', async (t) => {
  const { connection, queue } = await openQueue(t, 'redelivered');
  const channel = await connection.createChannel();
  const deliveries: boolean[] = [];
  const twice = new Promise<void>((resolve) => {
    void channel.consume(queue, (msg) => {
      if (!msg) return;
      deliveries.push(msg.fields.redelivered);
      if (deliveries.length === 1) return channel.nack(msg, false, true);
      channel.ack(msg);
      resolve();
    });
  });
  channel.sendToQueue(queue, Buffer.from('{}'));
  await twice;

  const consumers = (await finished()).filter((s) => s.kind === SpanKind.CONSUMER && s.name === `${queue} process`);
  assert.deepEqual(deliveries, [false, true]);
  assert.deepEqual(
    consumers.map((s) => [s.attributes['messaging.rabbitmq.message.redelivered'], s.status.code]),
    [
      [false, SpanStatusCode.ERROR],
      [true, SpanStatusCode.UNSET],
    ],
  );
  exporter.reset();
});
