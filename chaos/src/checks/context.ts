// What every check needs to be evaluated (where the backends and databases are, the run's time
// window) and what it answers: whether it holds now, and what was seen, in words a learner
// reads in the verdict table.

export interface CheckContext {
  /** Base URLs of the backends' query APIs, e.g. `http://127.0.0.1:29090`. */
  prometheus: string;
  jaeger: string;
  loki: string;
  /** The PostgreSQL server the demo's services use (any database on it: each service's own is derived). */
  databaseUrl: string;
  /** The demo's namespace: `$namespace` in queries, and the prefix of the services' databases. */
  namespace: string;
  /** Epoch ms: Jaeger and Loki searches cover [windowStart, now]. */
  windowStart: number;
  /** Aborts a check under way (Ctrl-C): it then rejects instead of answering. */
  signal?: AbortSignal;
}

export interface Observation {
  holds: boolean;
  /** What was seen, short: "1 sample: 1", "no sample", "3 of 40 orders not terminal: ab12cd34 pending 2m10s, …". */
  observed: string;
  /** The trace a Jaeger or LogQL check found. */
  traceId?: string;
  /** An invariant's: how many things it found wrong (0 when it holds); absent when it could not read. */
  count?: number;
}

/**
 * Puts the run's values into a query written in a scenario: `$namespace` (or `${namespace}`,
 * as Grafana writes it). Other `$` words are left as they are: PromQL and LogQL have none, and
 * the query's own validation reports them.
 */
export function substitute(query: string, values: { namespace: string }): string {
  return query.replace(/\$\{namespace\}|\$namespace\b/g, values.namespace);
}
