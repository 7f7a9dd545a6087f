// Saga timeouts: about every second, each running place-order saga past its deadline is
// taken (one per transaction, FOR UPDATE SKIP LOCKED, so instances side by side share the
// work) and handed to the orchestrator as a timeout, in the trace its saga started in. The
// deadlines are in the database, so a saga that timed out while no instance ran is swept by
// the next one to start.
import type { Log } from '@hopscope/demo-shared';
import { inTransaction } from '@hopscope/instrumentation/messaging';
import type { SagaTelemetry } from '@hopscope/instrumentation/saga';
import type pg from 'pg';
import { PLACE_ORDER } from '../domain/place-order-saga.ts';
import type { PlaceOrderOrchestrator } from './place-order-orchestrator.ts';
import type { SagaStore } from './saga-store.ts';
import { withTraceHeaders } from '@hopscope/instrumentation';

export interface SweeperParts {
  pool: pg.Pool;
  sagaStore: SagaStore;
  orchestrator: PlaceOrderOrchestrator;
  sagas: SagaTelemetry;
  log: Log;
  intervalMs: number;
}

/** At most this many sagas per sweep, so that a backlog does not starve shutdown. */
const MAX_PER_SWEEP = 100;

export class TimeoutSweeper {
  private readonly parts: SweeperParts;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(parts: SweeperParts) {
    this.parts = parts;
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.sweeping ??= this.sweep()
        .then(
          () => undefined,
          (error: unknown) => this.parts.log.warn({ err: error }, 'saga timeout sweep failed; retrying'),
        )
        .finally(() => (this.sweeping = undefined));
    }, this.parts.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** Times out every saga past its deadline now; returns how many. */
  async sweep(): Promise<number> {
    let swept = 0;
    while (swept < MAX_PER_SWEEP && (await this.timeOutOne())) swept++;
    return swept;
  }

  private async timeOutOne(): Promise<boolean> {
    const { pool, sagaStore, orchestrator, sagas } = this.parts;
    const handled = await inTransaction(pool, async (tx) => {
      const row = await sagaStore.claimExpired(tx, PLACE_ORDER);
      if (!row) return undefined;
      return { row, ended: await withTraceHeaders(row.traceHeaders, () => orchestrator.onTimeout(tx, row)) };
    });
    if (!handled) return false;
    const { row, ended } = handled;
    if (ended) withTraceHeaders(row.traceHeaders, () => sagas.end(ended.ref, ended.outcome));
    return true;
  }
}
