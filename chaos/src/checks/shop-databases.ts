// Read-only access to the demo services' own databases for the invariants. Each service owns
// `<namespace>_<service>` on the shared server (demo-services/shared/src/database.ts); a
// check opens one client per database it reads, reads one snapshot, and closes it, so a check
// polled every second holds no connection between polls.
import pg from 'pg';
import type { CheckContext } from './context.ts';

export type ShopService = 'orders' | 'inventory' | 'payments' | 'bank';

/** Each statement gives up after this: a check must answer, even while a database is made slow. */
const STATEMENT_TIMEOUT_MS = 10_000;

/** The service's database name, as the service itself derives it (`-` is not valid unquoted). */
export function serviceDatabaseName(namespace: string, service: string): string {
  return `${namespace}_${service.replaceAll('-', '_')}`;
}

/** A read that failed because of the database (unreachable, missing), not because of the invariant. */
export class DatabaseUnavailable extends Error {
  override readonly name = 'DatabaseUnavailable';
}

/**
 * Runs `read` in one read-only REPEATABLE READ transaction on the service's database: every
 * query of `read` sees the same snapshot, and nothing can be written by mistake.
 */
export async function readDatabase<T>(
  ctx: Pick<CheckContext, 'databaseUrl' | 'namespace' | 'signal'>,
  service: ShopService,
  read: (client: pg.Client) => Promise<T>,
): Promise<T> {
  ctx.signal?.throwIfAborted();
  const name = serviceDatabaseName(ctx.namespace, service);
  const url = new URL(ctx.databaseUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({
    connectionString: url.toString(),
    connectionTimeoutMillis: 5000,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    application_name: 'hopscope-chaos-check',
  });
  // A connection lost mid-read rejects the query; without a listener the error event would crash.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new DatabaseUnavailable(`database ${name}: ${(error as Error).message}`);
  }
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await read(client);
    await client.query('COMMIT');
    return result;
  } finally {
    await client.end().catch(() => {});
  }
}
