// A user's EventLogger that throws must not stop the outbox relay or the retrying consumer,
// nor end the process with an unhandled rejection. Real PostgreSQL and RabbitMQ.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type ChannelModel, type ConsumeMessage } from 'amqplib';
import pg from 'pg';
import { Registry } from 'prom-client';
import { Outbox } from '../src/messaging/outbox.ts';
import { OutboxRelay } from '../src/messaging/outbox-relay.ts';
import { consumeWithRetries } from '../src/messaging/poison-messages.ts';
import { inTransaction } from '../src/messaging/sql.ts';
import { deleteQueues, uniqueQueue } from './helpers/queues.ts';
import { TcpProxy } from './helpers/tcp-proxy.ts';
import { AMQP_URL, BROKER_ADDRESS, DATABASE_URL, amqpUrlVia } from './helpers/test-services.ts';

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
let connection: ChannelModel;
// Without this listener an unhandled rejection ends the test process; with it, each test
// asserts there was none.
const unhandled: unknown[] = [];
const recordUnhandled = (reason: unknown) => unhandled.push(reason);

before(async () => {
  process.on('unhandledRejection', recordUnhandled);
  connection = await amqp.connect(AMQP_URL);
});
beforeEach(() => {
  unhandled.length = 0;
});
after(async () => {
  process.off('unhandledRejection', recordUnhandled);
  await connection.close();
  await pool.end();
});

function throwingLogger() {
  const calls: string[] = [];
  const fail = (_fields: object, message: string) => {
    calls.push(message);
    throw new Error(`the logger failed on "${message}"`);
  };
  return { calls, info: fail, warn: fail };
}

async function waitFor(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

test('the outbox relay keeps relaying when the logger throws on its failure and recovery lines', async (t) => {
  const outbox = new Outbox({ table: `outbox_throwing_logger_${randomUUID().slice(0, 8)}`, pool });
  await outbox.createTable(pool);
  t.after(() => pool.query(`DROP TABLE ${outbox.table}`));
  const queue = uniqueQueue('throwing-logger-outbox');
  const channel = await connection.createChannel();
  await channel.assertQueue(queue);
  t.after(() => deleteQueues(queue));
  const received: string[] = [];
  await channel.consume(queue, (msg) => {
    if (!msg) return;
    received.push(msg.content.toString());
    channel.ack(msg);
  });

  // The broker starts "down" (a closed proxy): the relay's first batch fails and it logs that.
  const proxy = new TcpProxy(BROKER_ADDRESS);
  await proxy.open();
  await proxy.close();
  t.after(() => proxy.close());
  const logger = throwingLogger();
  const relay = new OutboxRelay({
    outbox,
    pool,
    logger,
    registry: new Registry(),
    pollIntervalMs: 25,
    maxBackoffMs: 100,
    connect: () => amqp.connect(amqpUrlVia(proxy.port)),
  });
  const write = (n: number) =>
    inTransaction(pool, (tx) => outbox.write(tx, { routingKey: queue, payload: { n } }).then(() => undefined));
  await write(1);
  relay.start();
  t.after(() => relay.stop());
  await waitFor('the failure line', () => logger.calls.includes('outbox relay failed; rows stay pending'));

  await proxy.open();
  await waitFor('the first row, relayed once the broker is back', () => received.length === 1);
  await waitFor('the recovery line', () => logger.calls.includes('outbox relay recovered'));
  await write(2);
  await waitFor('a row written after the recovery line threw', () => received.length === 2);
  assert.deepEqual(
    received.map((content) => JSON.parse(content) as unknown),
    [{ n: 1 }, { n: 2 }],
  );
  assert.deepEqual(unhandled, [], 'no unhandled rejection');
});

test('the retrying consumer keeps consuming when the logger throws on a dead-letter line', async (t) => {
  const queue = uniqueQueue('throwing-logger-poison');
  const deadLetterQueue = `${queue}.dead-letter`;
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue);
  t.after(() => deleteQueues(queue, deadLetterQueue));
  const logger = throwingLogger();
  const handled: string[] = [];
  await consumeWithRetries(
    channel,
    queue,
    (msg: ConsumeMessage) => {
      const body = msg.content.toString();
      handled.push(body);
      return body === 'poison' ? Promise.reject(new Error('cannot parse')) : Promise.resolve();
    },
    { maxAttempts: 1, logger, registry: new Registry() },
  );

  channel.sendToQueue(queue, Buffer.from('poison'));
  await waitFor('the dead-letter line', () => logger.calls.includes('message dead-lettered'));
  channel.sendToQueue(queue, Buffer.from('good'));
  await waitFor('the next message, handled', () => handled.includes('good'));

  const dead = await channel.get(deadLetterQueue, { noAck: true });
  assert.equal(dead && dead.content.toString(), 'poison', 'the poison message is in the dead-letter queue');
  await sleep(100); // the good message's ack
  const left = await channel.checkQueue(queue);
  assert.equal(left.messageCount, 0, 'the poison message was acked although the logger threw');
  assert.deepEqual(unhandled, [], 'no unhandled rejection');
});

test('an ack on a closed channel with a throwing logger does not end the process', async (t) => {
  const queue = uniqueQueue('throwing-logger-ack');
  const consuming = await connection.createChannel();
  await consuming.assertQueue(queue);
  t.after(() => deleteQueues(queue, `${queue}.dead-letter`));
  const logger = throwingLogger();
  await consumeWithRetries(
    consuming,
    queue,
    // The channel closes while the handler runs (as on a broker restart): the ack then throws.
    () => consuming.close(),
    { logger, registry: new Registry() },
  );
  const sending = await connection.createChannel();
  t.after(() => sending.close());
  sending.sendToQueue(queue, Buffer.from('order'));
  await waitFor('the could-not-ack line', () => logger.calls.some((call) => call.startsWith('could not ack')));
  await sleep(100);
  assert.deepEqual(unhandled, [], 'no unhandled rejection');
});
