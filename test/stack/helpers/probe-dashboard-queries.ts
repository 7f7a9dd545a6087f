// Runs every dashboard query again and again while chaos scenarios run, remembering the first
// time each one showed data: a panel that shows data only during a fault is seen during it.
import { type Backends, type QueryOutcome, runDashboardQuery } from './run-dashboard-query.ts';
import type { DashboardQuery } from '../../../grafana/src/dashboard-queries.ts';

export interface QueryProbe {
  /** Stops after one last round; the outcome of each query (its first with data, else its last). */
  stop(): Promise<Map<DashboardQuery, QueryOutcome>>;
}

/** A few queries at a time, so that the probe does not starve the demo it watches. */
const CONCURRENCY = 4;

export function probeDashboardQueries(backends: Backends, queries: DashboardQuery[], intervalMs = 10_000): QueryProbe {
  const outcomes = new Map<DashboardQuery, QueryOutcome>();
  let stopping = false;
  let wake: (() => void) | undefined;

  const round = async () => {
    const pending = queries.filter((q) => !outcomes.get(q)?.hasData);
    for (let i = 0; i < pending.length; i += CONCURRENCY)
      await Promise.all(
        pending.slice(i, i + CONCURRENCY).map(async (q) => outcomes.set(q, await runDashboardQuery(backends, q))),
      );
  };

  const loop = (async () => {
    while (!stopping) {
      await round();
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await round();
  })();

  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      return outcomes;
    },
  };
}
