// A relay killed mid-work (SIGKILL, no cleanup) loses nothing: a second relay publishes every
// row the first did not mark sent. Delivery is at-least-once: a row published but not yet
// marked when the first died is published again, which is what idempotent consumers are for.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import pg from 'pg';
import { Outbox } from '../src/messaging/outbox.ts';
import { inTransaction } from '../src/messaging/sql.ts';
import { deleteQueues, uniqueQueue } from './helpers/queues.ts';
import { ServiceProcess } from './helpers/service-process.ts';
import { AMQP_URL, DATABASE_URL } from './helpers/test-services.ts';

const ROWS = 400;

test('a relay killed mid-work: a second relay delivers every message', async (t) => {
  const suffix = randomUUID().slice(0, 8);
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  const outbox = new Outbox({ table: `outbox_crash_${suffix}` });
  const queue = uniqueQueue('outbox-crash');
  const relays: ServiceProcess[] = [];
  // Registered before anything is created, so that a failure at any step still removes it all.
  t.after(async () => {
    // In order: nothing may use the queue, the table or the pool after it is gone.
    for (const relay of relays) await relay.stop('SIGKILL');
    await deleteQueues(queue);
    await pool.query(`DROP TABLE IF EXISTS ${outbox.table}`);
    await pool.end();
  });
  await outbox.createTable(pool);
  await inTransaction(pool, async (tx) => {
    for (let i = 0; i < ROWS; i++) await outbox.write(tx, { routingKey: queue, payload: { i }, messageId: `m-${i}` });
  });

  const connection = await amqp.connect(AMQP_URL);
  t.after(() => connection.close());
  const channel = await connection.createChannel();
  await channel.assertQueue(queue, { autoDelete: false });
  const received: string[] = [];
  await channel.consume(queue, (msg) => {
    if (!msg) return; // amqplib hands null to a consumer the broker cancelled
    received.push(String(msg.properties.messageId));
    channel.ack(msg);
  });

  const env = { OUTBOX_TABLE: outbox.table };
  const first = new ServiceProcess('outbox-relay.mjs', env, []);
  relays.push(first);
  await first.waitForLine('listening');
  while (received.length < 60) await sleep(5);
  await first.stop('SIGKILL');
  assert.equal(first.exitSignal, 'SIGKILL');
  const pendingAfterCrash = await pending(pool, outbox.table);
  assert.ok(pendingAfterCrash > 0, 'the relay died with work left');

  const second = new ServiceProcess('outbox-relay.mjs', env, []);
  relays.push(second);
  await second.waitForLine('listening');
  const deadline = Date.now() + 20_000;
  while ((await pending(pool, outbox.table)) > 0 || new Set(received).size < ROWS) {
    assert.ok(Date.now() < deadline, `delivered ${new Set(received).size}/${ROWS}`);
    await sleep(50);
  }
  const unique = new Set(received);
  assert.equal(unique.size, ROWS, 'every message arrived');
  for (let i = 0; i < ROWS; i++) assert.ok(unique.has(`m-${i}`));
  t.diagnostic(`pending after the crash: ${pendingAfterCrash}; published twice: ${received.length - unique.size}`);
});

async function pending(pool: pg.Pool, table: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE sent_at IS NULL`);
  return rows[0]?.n ?? 0;
}
