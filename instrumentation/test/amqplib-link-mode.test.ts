// amqplib consumers in link mode: a new trace linked to the producer, with its baggage kept.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import type * as Amqp from 'amqplib';
import { forceFlush, start } from '../src/start.ts';
import { deleteQueues, uniqueQueue } from './helpers/queues.ts';
import { AMQP_URL } from './helpers/test-services.ts';

const exporter = new InMemorySpanExporter();
start({
  spanExporter: exporter,
  serviceName: 'link-mode',
  consumeContext: 'link',
  env: { OTEL_LOGS_EXPORTER: 'none' },
});
const amqp = createRequire(import.meta.url)('amqplib') as typeof Amqp; // loaded after start(): instrumented

test('the consumer links to the producer and still sees the baggage', async (t) => {
  const connection = await amqp.connect(AMQP_URL);
  t.after(() => connection.close());
  const channel = await connection.createChannel();
  const queue = uniqueQueue('link-mode');
  t.after(() => deleteQueues(queue));
  await channel.assertQueue(queue, { autoDelete: true });
  const seen = new Promise<string | undefined>((resolve) => {
    void channel.consume(queue, (msg) => {
      if (!msg) return; // the consumer is cancelled when the queue is deleted at the end
      channel.ack(msg);
      resolve(propagation.getBaggage(context.active())?.getEntry('saga.id')?.value);
    });
  });
  const baggage = propagation.createBaggage({ 'saga.id': { value: 'saga-42' } });
  await context.with(propagation.setBaggage(context.active(), baggage), () =>
    trace.getTracer('test').startActiveSpan('POST /orders', (span) => {
      channel.sendToQueue(queue, Buffer.from('{}'));
      span.end();
      return Promise.resolve();
    }),
  );
  assert.equal(await seen, 'saga-42', 'baggage reaches the handler');
  await forceFlush();
  const spans = exporter.getFinishedSpans();
  const producer = spans.find((s) => s.kind === SpanKind.PRODUCER)!;
  const consumer = spans.find((s) => s.kind === SpanKind.CONSUMER)!;
  assert.notEqual(consumer.spanContext().traceId, producer.spanContext().traceId, 'a new trace');
  assert.equal(consumer.links[0]?.context.spanId, producer.spanContext().spanId, 'linked to the producer');
});
