// Rebuilding the read model from the orders event log: replay every event through the same
// projection the live consumer uses into a fresh table, then swap it in, all in one
// transaction, so readers see the old table or the new one and never a half-built one.
//
// The live table is locked against writes (reads go on) before the log is read: every event
// the consumer applied is then in the log read (orders appends to its log before publishing),
// and events the consumer handles meanwhile wait and are applied to the new table (applying
// one twice changes nothing). Shipments are not in the orders log: their columns are carried
// over from the current table.
import type { Log, Upstream } from '@hopscope/demo-shared';
import { inTransaction } from '@hopscope/instrumentation/messaging';
import type pg from 'pg';
import { foldEvents } from '../domain/order-projection.ts';
import { REBUILD_TABLE, VIEW_COLUMNS, VIEW_TABLE, toColumns, viewTableDdl } from './order-view-sql.ts';
import { readOrderLog } from './orders-log.ts';

const INSERT_BATCH = 500;
const COLUMN_COUNT = VIEW_COLUMNS.split(', ').length;

/** Columns that hold the order's facts (what tells a changed row from an unchanged one). */
const FACTS = VIEW_COLUMNS.split(', ').filter((column) => column !== 'order_id');
const factsOf = (alias: string) => FACTS.map((column) => `${alias}.${column}`).join(', ');
const UNCHANGED = `(${factsOf('r')}) IS NOT DISTINCT FROM (${factsOf('c')})`;

export interface RebuildResult {
  /** Events read from the log. */
  events: number;
  /** Rows in the rebuilt view. */
  orders: number;
}

export async function rebuildFromOrderLog(pool: pg.Pool, orders: Upstream, log: Log): Promise<RebuildResult> {
  const started = Date.now();
  const result = await inTransaction(pool, async (tx) => {
    await tx.query(`LOCK TABLE ${VIEW_TABLE} IN EXCLUSIVE MODE`);
    const { events, read } = await readOrderLog(orders);
    const views = [...foldEvents(events).values()];

    await tx.query(`DROP TABLE IF EXISTS ${REBUILD_TABLE}`);
    for (const ddl of viewTableDdl(REBUILD_TABLE)) await tx.query(ddl);
    for (let i = 0; i < views.length; i += INSERT_BATCH) {
      const batch = views.slice(i, i + INSERT_BATCH);
      const placeholders = batch.map(
        (_, row) =>
          `(${Array.from({ length: COLUMN_COUNT }, (_, col) => `$${row * COLUMN_COUNT + col + 1}`).join(', ')})`,
      );
      await tx.query(
        `INSERT INTO ${REBUILD_TABLE} (${VIEW_COLUMNS}) VALUES ${placeholders.join(', ')}`,
        batch.flatMap(toColumns),
      );
    }
    // Shipments come from shipping's events, not from the orders log: keep what the live view knows.
    await tx.query(
      `INSERT INTO ${REBUILD_TABLE} (order_id, shipment_id, shipment_status)
       SELECT order_id, shipment_id, shipment_status FROM ${VIEW_TABLE} WHERE shipment_status IS NOT NULL
       ON CONFLICT (order_id) DO UPDATE SET shipment_id = EXCLUDED.shipment_id, shipment_status = EXCLUDED.shipment_status`,
    );
    // A row the rebuild left as it was keeps its version and updated_at; a corrected one counts as a change.
    await tx.query(
      `UPDATE ${REBUILD_TABLE} r
       SET version = c.version + CASE WHEN ${UNCHANGED} THEN 0 ELSE 1 END,
           updated_at = CASE WHEN ${UNCHANGED} THEN c.updated_at ELSE now() END
       FROM ${VIEW_TABLE} c WHERE c.order_id = r.order_id`,
    );
    await tx.query(`DROP TABLE ${VIEW_TABLE}`);
    await tx.query(`ALTER TABLE ${REBUILD_TABLE} RENAME TO ${VIEW_TABLE}`);
    await tx.query(`ALTER TABLE ${VIEW_TABLE} RENAME CONSTRAINT ${REBUILD_TABLE}_pkey TO ${VIEW_TABLE}_pkey`);
    await tx.query(`ALTER INDEX ${REBUILD_TABLE}_customer_placed_at RENAME TO ${VIEW_TABLE}_customer_placed_at`);
    const { rows } = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM ${VIEW_TABLE}`);
    return { events: read, orders: Number(rows[0].n) };
  });
  log.info({ ...result, duration_ms: Date.now() - started }, 'order view rebuilt from the orders event log');
  return result;
}
