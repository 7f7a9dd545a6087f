// Outbox, idempotent consumer and poison messages against the real PostgreSQL and RabbitMQ.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import type * as Amqp from 'amqplib';
import type * as Pg from 'pg';
import { IdempotentConsumer } from '../src/messaging/idempotent-consumer.ts';
import { Outbox } from '../src/messaging/outbox.ts';
import { OutboxRelay } from '../src/messaging/outbox-relay.ts';
import { HEADER_ATTEMPTS, HEADER_DEAD_LETTER_REASON, consumeWithRetries } from '../src/messaging/poison-messages.ts';
import { inTransaction } from '../src/messaging/sql.ts';
import { forceFlush, start } from '../src/start.ts';
import { captureLogger } from './helpers/capture-logger.ts';
import { metricValue } from './helpers/metrics-text.ts';
import { deleteQueues, uniqueQueue } from './helpers/queues.ts';
import { TcpProxy } from './helpers/tcp-proxy.ts';
import { AMQP_URL, BROKER_ADDRESS, DATABASE_URL, amqpUrlVia } from './helpers/test-services.ts';

const exporter = new InMemorySpanExporter();
const telemetry = start({ spanExporter: exporter, serviceName: 'messaging', env: { OTEL_LOGS_EXPORTER: 'none' } });
// Loaded after start(), as the register flag guarantees: amqplib and pg are instrumented.
const require = createRequire(import.meta.url);
const amqp = require('amqplib') as typeof Amqp;
const { Pool } = require('pg') as typeof Pg;
const metrics = () => telemetry.metrics.registry.metrics();
const suffix = randomUUID().slice(0, 8);
const pool = new Pool({ connectionString: DATABASE_URL, max: 4 });
let connection: Amqp.ChannelModel;

before(async () => {
  connection = await amqp.connect(AMQP_URL);
});
after(async () => {
  await connection.close();
  await pool.end();
});

test('an outbox message written in a request is consumed in that trace, across a broker outage', async (t) => {
  const outbox = new Outbox({ table: `outbox_${suffix}`, pool });
  await outbox.createTable(pool);
  t.after(() => pool.query(`DROP TABLE ${outbox.table}`));
  const queue = uniqueQueue('outbox');
  // Deleted by name, not left to autoDelete: a test that fails before it consumes would leave
  // an auto-delete queue that never had a consumer, and its message, behind for good.
  t.after(() => deleteQueues(queue));
  const channel = await connection.createChannel();
  await channel.assertQueue(queue, { autoDelete: true });

  // The relay reaches the broker through a proxy that starts closed: the broker is "down".
  const proxy = new TcpProxy(BROKER_ADDRESS);
  const logger = captureLogger();
  const relay = new OutboxRelay({
    outbox,
    pool,
    logger,
    pollIntervalMs: 50,
    maxBackoffMs: 200,
    connect: () => amqp.connect(amqpUrlVia(proxy.port)),
  });
  await proxy.open();
  await proxy.close(); // keeps the port, refuses connections
  t.after(() => proxy.close());

  const request = await trace.getTracer('test').startActiveSpan('POST /orders', async (span) => {
    await inTransaction(pool, async (tx) => {
      await outbox.write(tx, { routingKey: queue, payload: { order: 42 } });
    });
    span.end();
    return span;
  });
  relay.start();
  t.after(() => relay.stop());
  await sleep(600);
  let text = await metrics();
  assert.equal(metricValue(text, 'hopscope_outbox_pending_messages', { table: outbox.table }), 1, 'the row waits');
  assert.ok(metricValue(text, 'hopscope_outbox_publish_failures_total', { table: outbox.table })! >= 1);
  assert.equal(logger.lines[0]?.msg, 'outbox relay failed; rows stay pending');

  const consumed = new Promise<Amqp.ConsumeMessage>((resolve) => {
    void channel.consume(queue, (msg) => {
      if (!msg) return; // the consumer is cancelled when the queue is deleted at the end
      channel.ack(msg);
      resolve(msg);
    });
  });
  await proxy.open(); // the broker is back
  const msg = await consumed;
  assert.deepEqual(JSON.parse(msg.content.toString()), { order: 42 });
  await relay.stop();
  await forceFlush();

  const consumer = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CONSUMER && s.name.startsWith(queue));
  assert.ok(consumer, 'a consumer span');
  assert.equal(
    consumer.spanContext().traceId,
    request.spanContext().traceId,
    'the consumer continues the writer’s trace',
  );
  text = await metrics();
  assert.equal(metricValue(text, 'hopscope_outbox_pending_messages', { table: outbox.table }), 0);
  assert.equal(metricValue(text, 'hopscope_outbox_published_total', { table: outbox.table }), 1);
  assert.equal(metricValue(text, 'hopscope_outbox_relay_lag_seconds_count', { table: outbox.table }), 1);
  assert.ok(logger.lines.some((l) => l.msg === 'outbox relay recovered'));
});

test('a message delivered twice is processed once and counted once as a duplicate', async (t) => {
  const consumer = new IdempotentConsumer({ consumer: `billing-${suffix}`, table: `processed_${suffix}` });
  t.after(() => pool.query(`DROP TABLE IF EXISTS ${consumer.table}; DROP TABLE IF EXISTS charges_${suffix}`));
  await consumer.createTable(pool);
  await pool.query(`CREATE TABLE charges_${suffix} (message_id text)`);
  const charge = (messageId: string) =>
    consumer.process(pool, messageId, async (tx) => {
      await tx.query(`INSERT INTO charges_${suffix} VALUES ($1)`, [messageId]);
      await sleep(50); // hold the claim, so that the concurrent redelivery really overlaps
    });

  const id = randomUUID();
  const [first, concurrent] = await Promise.all([charge(id), charge(id)]);
  const later = await charge(id);
  assert.deepEqual([first.duplicate, concurrent.duplicate, later.duplicate].sort(), [false, true, true]);
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM charges_${suffix}`);
  assert.equal(rows[0]?.n, 1, 'the side effect happened once');
  const text = await metrics();
  assert.equal(metricValue(text, 'hopscope_idempotent_duplicates_total', { consumer: consumer.consumer }), 2);
  assert.equal(metricValue(text, 'hopscope_idempotent_processed_total', { consumer: consumer.consumer }), 1);

  await assert.rejects(
    consumer.process(pool, randomUUID(), () => Promise.reject(new Error('handler failed'))),
    /handler failed/,
  );
  const failedId = randomUUID();
  await assert.rejects(consumer.process(pool, failedId, () => Promise.reject(new Error('once'))));
  assert.equal((await charge(failedId)).duplicate, false, 'a failed attempt does not claim the message');
  await assert.rejects(
    consumer.process(pool, '', () => Promise.resolve()),
    /message id must be/,
  );
});

test('a poison message is retried N times, then dead-lettered with its reason', async (t) => {
  const queue = uniqueQueue('poison');
  // The helper declares the dead-letter queue durable: nothing else would ever remove it.
  t.after(() => deleteQueues(queue, `${queue}.dead-letter`));
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { autoDelete: true });
  const logger = captureLogger();
  let attempts = 0;
  await consumeWithRetries(
    channel,
    queue,
    () => {
      attempts++;
      return Promise.reject(new Error('cannot parse order'));
    },
    { maxAttempts: 3, logger },
  );
  channel.sendToQueue(queue, Buffer.from('not json'));
  const dead = await new Promise<Amqp.GetMessage>((resolve, reject) => {
    const deadline = Date.now() + 10_000;
    const poll = async () => {
      const msg = await channel.get(`${queue}.dead-letter`);
      if (msg) return resolve(msg);
      if (Date.now() > deadline) return reject(new Error('nothing dead-lettered'));
      setTimeout(() => void poll(), 50);
    };
    void poll();
  });
  channel.ack(dead);
  assert.equal(attempts, 3);
  assert.equal(dead.content.toString(), 'not json', 'the message is kept as it was');
  assert.equal(dead.properties.headers?.[HEADER_DEAD_LETTER_REASON], 'cannot parse order');
  assert.equal(dead.properties.headers?.[HEADER_ATTEMPTS], 3);
  const text = await metrics();
  assert.equal(
    metricValue(text, 'hopscope_messaging_retried_messages_total', { messaging_destination_name: queue }),
    2,
  );
  assert.equal(
    metricValue(text, 'hopscope_messaging_dead_lettered_messages_total', {
      messaging_destination_name: queue,
      error_type: 'Error',
    }),
    1,
  );
  assert.equal(logger.lines.at(-1)?.msg, 'message dead-lettered');
});
