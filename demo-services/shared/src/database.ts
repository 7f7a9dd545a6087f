// Database per service: each service owns `<namespace>_<service>` on the shared PostgreSQL
// server, creates it if missing and migrates it at startup. Migrations are idempotent DDL
// (CREATE ... IF NOT EXISTS), run in order under an advisory lock, so two instances of a
// service starting together do not race.
import pg from 'pg';
import type { DemoConfig } from './config.ts';
import type { Log } from './log.ts';
import { retryForever } from './retry-forever.ts';

/** The advisory lock under which DDL runs: instances of one service starting together take turns. */
const MIGRATION_LOCK = 7242;

/** PostgreSQL's codes for "already exists" when two creators race. */
const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';

export function databaseName(config: Pick<DemoConfig, 'namespace' | 'service'>): string {
  return `${config.namespace}_${config.service.replaceAll('-', '_')}`;
}

/** The URL of the service's own database on the configured server. */
export function databaseUrl(config: DemoConfig): string {
  const url = new URL(config.databaseUrl);
  url.pathname = `/${databaseName(config)}`;
  return url.toString();
}

async function createDatabaseIfMissing(config: DemoConfig): Promise<void> {
  const admin = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    const name = databaseName(config);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      // The name is built from checked parts (namespace regex, service name), never from input.
      await admin.query(`CREATE DATABASE ${name}`).catch((error: { code?: string }) => {
        if (error.code !== DUPLICATE_DATABASE && error.code !== UNIQUE_VIOLATION) throw error;
      });
    }
  } finally {
    await admin.end();
  }
}

/**
 * Creates (if needed), migrates and opens the service's database. While PostgreSQL is
 * unreachable it waits, with backoff, logging what it waits for; it never gives up, so a
 * service started before its database comes up by itself.
 */
export async function openDatabase(config: DemoConfig, migrations: readonly string[], log: Log): Promise<pg.Pool> {
  await retryForever(`PostgreSQL database ${databaseName(config)}`, log, async () => {
    await createDatabaseIfMissing(config);
    const client = new pg.Client({ connectionString: databaseUrl(config), connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      for (const statement of migrations) await client.query(statement);
    } finally {
      await client.end();
    }
  });
  const pool = new pg.Pool({
    connectionString: databaseUrl(config),
    max: 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 10_000,
  });
  // An idle client that loses its connection emits on the pool; without a listener the
  // process would crash. The next query gets a fresh connection.
  pool.on('error', (error) => log.warn({ err: error }, 'idle database connection lost'));
  return pool;
}

/**
 * Runs `work` (a service's own table setup: its outbox, its idempotent consumers' tables) under
 * the migration lock: CREATE TABLE IF NOT EXISTS is not safe against a concurrent one (two
 * instances starting together fail with a duplicate key in pg_type).
 */
export async function withMigrationLock<T>(pool: pg.Pool, work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** Whether the database answers now (for /readyz). */
export async function databaseReachable(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
