import type { Queryable } from '@hopscope/instrumentation/messaging';
import type pg from 'pg';

/** Runs `work` in one transaction on its own connection: commit on success, rollback on error. */
export async function inTransaction<T>(pool: pg.Pool, work: (tx: Queryable) => Promise<T>): Promise<T> {
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
