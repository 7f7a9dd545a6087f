// The chaos proxy (stack/demo/tcp-proxy.ts) in front of the real PostgreSQL and RabbitMQ, as
// the demo's services meet it: queries and AMQP connections pass through unchanged (large
// payloads both ways, in order), a latency slows every round trip, refusing cuts open
// connections and refuses new ones as a stopped server would, and accepting again restores it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import test from 'node:test';
import amqp from 'amqplib';
import pg from 'pg';
import { TcpProxy } from '../../stack/demo/tcp-proxy.ts';

async function proxyTo(t: test.TestContext, targetPort: number, maxConnections?: number): Promise<TcpProxy> {
  const proxy = new TcpProxy({ port: 0, targetHost: '127.0.0.1', targetPort, maxConnections });
  await proxy.accept();
  t.after(() => proxy.refuse());
  return proxy;
}

async function pgClient(t: test.TestContext, port: number): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  // A cut connection is reported here too; the test asserts it through the failing query.
  client.on('error', () => undefined);
  await client.connect();
  t.after(() => client.end().catch(() => undefined));
  return client;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

test('PostgreSQL through the proxy: megabytes both ways arrive whole and in order, also with a latency', async (t) => {
  const proxy = await proxyTo(t, 5432);
  const client = await pgClient(t, proxy.port);
  assert.equal(proxy.connections, 1);
  // 4 MB up (a parameter) and back (the server echoes it), checked by the server's md5 and ours.
  const payload = Array.from({ length: 200_000 }, (_, i) => `row ${i};`).join('');
  for (const latencyMs of [0, 30]) {
    proxy.latencyMs = latencyMs;
    const { rows } = await client.query<{ echo: string; sum: string }>(
      'SELECT $1::text AS echo, md5($1::text) AS sum',
      [payload],
    );
    assert.equal(rows[0].sum, md5(payload), `latency ${latencyMs}: the server got the bytes in order`);
    assert.equal(rows[0].echo, payload, `latency ${latencyMs}: the client got the bytes in order`);
  }
});

test('a latency delays each round trip through the proxy by about twice the latency', async (t) => {
  const proxy = await proxyTo(t, 5432);
  const client = await pgClient(t, proxy.port);
  const timed = async () => {
    const started = performance.now();
    await client.query('SELECT 1');
    return performance.now() - started;
  };
  const before = await timed();
  proxy.latencyMs = 150;
  const slow = await timed();
  proxy.latencyMs = 0;
  const after = await timed();
  t.diagnostic(
    `SELECT 1: ${before.toFixed(0)} ms, with 150 ms latency ${slow.toFixed(0)} ms, after ${after.toFixed(0)} ms`,
  );
  assert.ok(slow >= 290, `a round trip with 150 ms each way took ${slow} ms`);
  assert.ok(after < 100, `back to fast: ${after} ms`);
});

test('refusing cuts open PostgreSQL connections and refuses new ones; accepting restores', async (t) => {
  const proxy = await proxyTo(t, 5432);
  const client = await pgClient(t, proxy.port);
  await proxy.refuse();
  assert.equal(proxy.connections, 0);
  await assert.rejects(client.query('SELECT 1'));
  await assert.rejects(
    new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/postgres` }).connect(),
    /ECONNREFUSED/,
  );
  await proxy.accept();
  const again = await pgClient(t, proxy.port);
  assert.deepEqual((await again.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
  assert.equal(proxy.accepted, 2);
});

test('refusing closes RabbitMQ connections as a stopped broker would; accepting lets clients connect again', async (t) => {
  const proxy = await proxyTo(t, 5672);
  const url = `amqp://guest:guest@127.0.0.1:${proxy.port}`;
  const connection = await amqp.connect(url);
  const closed = new Promise<void>((resolve) => connection.once('close', () => resolve()));
  connection.on('error', () => undefined);
  await (await connection.createChannel()).checkExchange('amq.topic');
  await proxy.refuse();
  await closed;
  await assert.rejects(amqp.connect(url), /ECONNREFUSED/);
  await proxy.accept();
  const again = await amqp.connect(url);
  try {
    await (await again.createChannel()).checkExchange('amq.topic');
  } finally {
    // Before the proxy stops (t.after hooks run first to last): a close waits for the broker's reply.
    await again.close();
  }
});

test('connections beyond the bound are closed at once', async (t) => {
  const proxy = await proxyTo(t, 5432, 2);
  await pgClient(t, proxy.port);
  await pgClient(t, proxy.port);
  const third = new pg.Client({
    connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`,
    connectionTimeoutMillis: 5000,
  });
  third.on('error', () => undefined);
  await assert.rejects(third.connect());
  assert.equal(proxy.connections, 2);
});
