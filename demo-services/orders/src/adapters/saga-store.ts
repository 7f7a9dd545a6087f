// Saga rows in SQL: where each saga stands (step, phase, data), until when it waits for a
// reply (deadline), and the trace context it was started in, so that the timeout sweeper's
// work continues the order's trace. All of it survives a restart.
import type { Queryable } from '@hopscope/instrumentation/messaging';
import type { InFlightSagas } from '@hopscope/instrumentation/saga';
import type { SagaData, SagaOutcome, SagaPhase, SagaState } from '../domain/place-order-saga.ts';

export type SagaStatus = 'running' | SagaOutcome;

export interface SagaRow {
  id: string;
  orderId: string;
  name: string;
  state: SagaState;
  status: SagaStatus;
  startedAt: Date;
  traceHeaders: Record<string, string>;
}

interface Row {
  id: string;
  order_id: string;
  name: string;
  step_index: number;
  phase: SagaPhase;
  status: SagaStatus;
  data: SagaData;
  started_at: Date;
  trace_headers: Record<string, string>;
}

const COLUMNS = 'id, order_id, name, step_index, phase, status, data, started_at, trace_headers';

const toSaga = (row: Row): SagaRow => ({
  id: row.id,
  orderId: row.order_id,
  name: row.name,
  state: { stepIndex: row.step_index, phase: row.phase, data: row.data },
  status: row.status,
  startedAt: row.started_at,
  traceHeaders: row.trace_headers,
});

export class SagaStore {
  /** A new running saga; `timeoutMs` null for one without a deadline (a choreography's). */
  async insert(tx: Queryable, saga: Omit<SagaRow, 'status'>, timeoutMs: number | null): Promise<void> {
    await tx.query(
      `INSERT INTO sagas (id, order_id, name, step_index, phase, status, data, deadline, started_at, trace_headers)
       VALUES ($1, $2, $3, $4, $5, 'running', $6, now() + $7 * interval '1 millisecond', $8, $9)`,
      [
        saga.id,
        saga.orderId,
        saga.name,
        saga.state.stepIndex,
        saga.state.phase,
        saga.state.data,
        timeoutMs,
        saga.startedAt,
        saga.traceHeaders,
      ],
    );
  }

  /** The saga, locked until the transaction ends (replies to one saga are handled one at a time). */
  async lock(tx: Queryable, id: string): Promise<SagaRow | undefined> {
    const { rows } = await tx.query<Row>(`SELECT ${COLUMNS} FROM sagas WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ? toSaga(rows[0]) : undefined;
  }

  /**
   * One running saga past its deadline, locked; SKIP LOCKED lets several orders instances
   * sweep side by side, each taking another saga (and none one a reply is being handled for).
   */
  async claimExpired(tx: Queryable, name: string): Promise<SagaRow | undefined> {
    const { rows } = await tx.query<Row>(
      `SELECT ${COLUMNS} FROM sagas WHERE name = $1 AND status = 'running' AND deadline < now()
       ORDER BY deadline LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [name],
    );
    return rows[0] ? toSaga(rows[0]) : undefined;
  }

  /** The saga moved to another step or phase, and waits again, at most `timeoutMs`. */
  async advance(tx: Queryable, id: string, state: SagaState, timeoutMs: number): Promise<void> {
    await tx.query(
      `UPDATE sagas SET step_index = $2, phase = $3, data = $4, deadline = now() + $5 * interval '1 millisecond'
       WHERE id = $1`,
      [id, state.stepIndex, state.phase, state.data, timeoutMs],
    );
  }

  async end(tx: Queryable, id: string, outcome: SagaOutcome, state?: SagaState): Promise<void> {
    await tx.query(
      `UPDATE sagas SET status = $2, deadline = NULL, ended_at = now(), data = coalesce($3, data) WHERE id = $1`,
      [id, outcome, state?.data ?? null],
    );
  }

  /** For the saga gauges: true across instances and restarts, since it is the database's view. */
  async inFlight(db: Queryable, name: string): Promise<InFlightSagas> {
    const { rows } = await db.query<{ count: string; oldest: Date | null }>(
      "SELECT count(*) AS count, min(started_at) AS oldest FROM sagas WHERE name = $1 AND status = 'running'",
      [name],
    );
    return { count: Number(rows[0].count), oldestStartedAt: rows[0].oldest ?? undefined };
  }
}
