// For the demo's tests: a namespace of their own on the shared PostgreSQL server and broker,
// and its removal afterwards (databases, queues, exchanges), also when a test failed.
import amqp from 'amqplib';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { databaseName } from './database.ts';
import { Topology } from './topology.ts';

export const TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** A fresh namespace, e.g. `t3f9a1c0d`: prefixes every database, exchange and queue of the test. */
export function uniqueNamespace(): string {
  return `t${randomBytes(4).toString('hex')}`;
}

/** The environment a service under test needs, in `namespace`, listening on a free port. */
export function testEnv(namespace: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOPSCOPE_DEMO_NAMESPACE: namespace,
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: TEST_DATABASE_URL,
    AMQP_URL: TEST_AMQP_URL,
    ...extra,
  };
}

/** A small pool on `service`'s own database in `namespace` (the test looks at its rows); end it in `after`. */
export function testDatabase(namespace: string, service: string): pg.Pool {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${databaseName({ namespace, service })}`;
  return new pg.Pool({ connectionString: url.toString(), max: 2 });
}

/** Drops every database `<namespace>_*` and deletes the namespace's queues and exchanges. */
export async function dropNamespace(namespace: string): Promise<void> {
  if (!/^t[0-9a-f]{8}$/.test(namespace) && !namespace.startsWith('test_')) {
    throw new Error(`refusing to drop ${namespace}: not a test namespace`);
  }
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_%'",
      [namespace],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  const connection = await amqp.connect(TEST_AMQP_URL);
  try {
    const channel = await connection.createChannel();
    const { queues, exchanges } = new Topology(namespace).allNames();
    for (const queue of queues) await channel.deleteQueue(queue);
    for (const exchange of exchanges) await channel.deleteExchange(exchange);
  } finally {
    await connection.close();
  }
}

export { TestBroker, eventually } from './test-broker.ts';
export type { Received } from './test-broker.ts';
