/** What the helpers need of a pg Client or PoolClient. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** What the helpers need of a pg Pool. */
export interface ConnectionPool extends Queryable {
  connect(): Promise<Queryable & { release(error?: Error | boolean): void }>;
}

// Table names are interpolated into SQL, so they are checked, never quoted from user input.
const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkTableName(table: string): string {
  if (!TABLE_NAME.test(table))
    throw new TypeError(`table name must match ${String(TABLE_NAME)}, got ${JSON.stringify(table)}`);
  return table;
}

/**
 * Runs `work` in a transaction on its own pooled connection: commit on success, rollback on
 * error (a connection that cannot roll back is discarded). The transaction `IdempotentConsumer`
 * and `OutboxRelay` use; pass its `tx` to `Outbox.write` to add a message with your own writes.
 */
export async function inTransaction<T>(pool: ConnectionPool, work: (tx: Queryable) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(!rolledBack); // a connection that cannot roll back is not reused
    throw error;
  }
}
