// Saga telemetry as a user sees it: metrics by outcome and phase, steps as spans of one trace,
// the saga id in baggage, span attributes and log lines. The choreographed saga crosses the
// real RabbitMQ between two consumers.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import type * as Amqp from 'amqplib';
import { createLogger } from '../src/logs/logger.ts';
import { SagaTelemetry } from '../src/saga/sagas.ts';
import { forceFlush, start } from '../src/start.ts';
import { captureLogger } from './helpers/capture-logger.ts';
import { metricValue } from './helpers/metrics-text.ts';
import { deleteQueues, uniqueQueue } from './helpers/queues.ts';
import { AMQP_URL } from './helpers/test-services.ts';

const exporter = new InMemorySpanExporter();
const telemetry = start({ spanExporter: exporter, serviceName: 'sagas', env: { OTEL_LOGS_EXPORTER: 'none' } });
const amqp = createRequire(import.meta.url)('amqplib') as typeof Amqp; // loaded after start(): instrumented
const metrics = () => telemetry.metrics.registry.metrics();
const tracer = trace.getTracer('test');

test('orchestrated: the second step fails, the first is compensated, the saga ends compensated', async () => {
  const logger = captureLogger();
  const sagas = new SagaTelemetry({ logger });
  const id = randomUUID();
  await tracer.startActiveSpan('POST /orders', async (request) => {
    const saga = sagas.start('order', id);
    assert.equal(metricValue(await metrics(), 'hopscope_saga_in_flight', { saga: 'order' }), 1);
    await sagas.step(saga, 'reserve-stock', () => 'reserved');
    await assert.rejects(
      sagas.step(saga, 'charge-payment', () => Promise.reject(new Error('card declined'))),
      /card declined/,
    );
    await sagas.compensate(saga, 'reserve-stock', () => 'released');
    sagas.end(saga, 'compensated');
    request.end();
  });
  await forceFlush();

  const text = await metrics();
  const step = (stepName: string, phase: string, outcome: string) =>
    metricValue(text, 'hopscope_saga_step_duration_seconds_count', { saga: 'order', step: stepName, phase, outcome });
  assert.equal(step('reserve-stock', 'execute', 'success'), 1);
  assert.equal(step('charge-payment', 'execute', 'failure'), 1);
  assert.equal(step('reserve-stock', 'compensate', 'success'), 1);
  assert.equal(metricValue(text, 'hopscope_saga_started_total', { saga: 'order' }), 1);
  assert.equal(metricValue(text, 'hopscope_saga_ended_total', { saga: 'order', outcome: 'compensated' }), 1);
  assert.equal(metricValue(text, 'hopscope_saga_duration_seconds_count', { saga: 'order', outcome: 'compensated' }), 1);
  assert.equal(metricValue(text, 'hopscope_saga_in_flight', { saga: 'order' }), 0);
  assert.ok(!text.includes(id), 'the saga id is never a label');

  const spans = exporter.getFinishedSpans();
  const request = spans.find((s) => s.name === 'POST /orders')!;
  const steps = spans.filter((s) => s.attributes['hopscope.saga.id'] === id);
  assert.deepEqual(
    steps.map((s) => s.name),
    ['saga order reserve-stock', 'saga order charge-payment', 'saga order compensate reserve-stock'],
  );
  for (const s of steps) assert.equal(s.parentSpanContext?.spanId, request.spanContext().spanId);
  assert.ok(
    request.events.some((e) => e.name === 'saga.ended' && e.attributes?.['hopscope.saga.outcome'] === 'compensated'),
  );
  assert.deepEqual(
    logger.lines.map((l) => [l.msg, l['saga_id'], l['outcome']]),
    [
      ['saga started', id, undefined],
      ['saga ended', id, 'compensated'],
    ],
  );
});

test('choreographed: two consumers carry the saga id in baggage, and it ends once', async (t) => {
  const sagas = new SagaTelemetry({ logger: captureLogger() });
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  });
  const connection = await amqp.connect(AMQP_URL);
  t.after(() => connection.close());
  const channel = await connection.createChannel();
  const [stockQueue, paymentQueue] = [uniqueQueue('saga-stock'), uniqueQueue('saga-payment')];
  t.after(() => deleteQueues(stockQueue, paymentQueue));
  for (const queue of [stockQueue, paymentQueue]) await channel.assertQueue(queue, { autoDelete: true });
  const ended = new Promise<void>((resolve) => {
    // Participant 1: reserves stock, then hands over to payments.
    void channel.consume(stockQueue, (msg) => {
      if (!msg) return; // the consumer is cancelled when the queue is deleted at the end
      const saga = sagas.current()!;
      void sagas
        .step(saga, 'reserve-stock', () => {
          log.info('stock reserved');
          channel.sendToQueue(paymentQueue, msg.content);
        })
        .then(() => channel.ack(msg));
    });
    // Participant 2: charges and ends the saga.
    void channel.consume(paymentQueue, (msg) => {
      if (!msg) return;
      const saga = sagas.current()!;
      void sagas
        .step(saga, 'charge-payment', () => log.info('payment charged'))
        .then(() => {
          sagas.end(saga, 'completed');
          channel.ack(msg);
          resolve();
        });
    });
  });

  const id = randomUUID();
  const before =
    metricValue(await metrics(), 'hopscope_saga_ended_total', { saga: 'checkout', outcome: 'completed' }) ?? 0;
  tracer.startActiveSpan('POST /checkout', (request) => {
    const saga = sagas.start('checkout', id);
    sagas.run(saga, () => channel.sendToQueue(stockQueue, Buffer.from('{}')));
    request.end();
  });
  await ended;
  await forceFlush();

  const text = await metrics();
  assert.equal(metricValue(text, 'hopscope_saga_ended_total', { saga: 'checkout', outcome: 'completed' })! - before, 1);
  const steps = exporter.getFinishedSpans().filter((s) => s.attributes['hopscope.saga.id'] === id);
  assert.deepEqual(steps.map((s) => s.name).sort(), ['saga checkout charge-payment', 'saga checkout reserve-stock']);
  const request = exporter.getFinishedSpans().find((s) => s.name === 'POST /checkout')!;
  for (const s of steps) assert.equal(s.spanContext().traceId, request.spanContext().traceId, 'one trace');
  for (const msg of ['stock reserved', 'payment charged']) {
    const line = lines.find((l) => l['msg'] === msg);
    assert.equal(line?.['saga_id'], id, `${msg} carries the saga id`);
    assert.equal(line?.['saga_name'], 'checkout');
  }
});

test('the in-flight figures come from the user callback at scrape time', async () => {
  const sagas = new SagaTelemetry({ logger: captureLogger() });
  const oldest = new Date(Date.now() - 90_000);
  sagas.readInFlightFrom('shipment', () => Promise.resolve({ count: 7, oldestStartedAt: oldest }));
  const text = await metrics();
  assert.equal(metricValue(text, 'hopscope_saga_in_flight', { saga: 'shipment' }), 7);
  const age = metricValue(text, 'hopscope_saga_oldest_in_flight_age_seconds', { saga: 'shipment' })!;
  assert.ok(age >= 90 && age < 95, `the oldest is ~90 s old, got ${age}`);
});

test('an in-flight callback that throws never fails the scrape', async () => {
  const sagas = new SagaTelemetry({ logger: captureLogger() });
  sagas.readInFlightFrom('refund', () => Promise.reject(new Error('database down')));
  const text = await metrics();
  assert.ok(text.includes('hopscope_saga_started_total'), 'the other metrics are served');
});

test('bad saga ids and step names are programmer errors at the call site', async () => {
  const sagas = new SagaTelemetry({ logger: captureLogger() });
  assert.throws(() => sagas.start('order', ''), /saga id must be/);
  assert.throws(() => sagas.start('order', 'x'.repeat(129)), /saga id must be/);
  assert.throws(() => sagas.start('', 'abc'), /saga name must be/);
  const saga = sagas.start('order', 'abc');
  await assert.rejects(
    sagas.step(saga, 'y'.repeat(100), () => 1),
    /saga step must be/,
  );
  assert.throws(() => sagas.end(saga, 'finished' as never), /saga outcome must be one of/);
});
