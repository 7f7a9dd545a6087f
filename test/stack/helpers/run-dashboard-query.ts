// Runs one dashboard query against the real backend of its datasource over the dashboards'
// default range (the last 30 minutes) and says whether a user would see data: at least one
// series with samples, one log line, or one trace. A query the backend refuses is a failure
// with the backend's own error.
import { getJson } from '../../../chaos/src/checks/http.ts';
import type { DashboardQuery } from '../../../grafana/src/dashboard-queries.ts';

export interface Backends {
  prometheus: string;
  loki: string;
  jaeger: string;
}

export interface QueryOutcome {
  hasData: boolean;
  /** What came back: a count of series or lines, or the backend's error. */
  detail: string;
}

const RANGE_S = 1800;

/** The `data` of a backend's answer, or the backend's own words for why there is none. */
async function dataOf(url: string): Promise<{ data: unknown } | { problem: string }> {
  const reply = await getJson(url);
  return reply.ok ? { data: (reply.body as { data?: unknown }).data } : { problem: reply.problem };
}

function params(values: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined) search.set(key, String(value));
  return search.toString();
}

/** `label_values(metric, label)` → the label's values on that metric, as Grafana asks for them. */
async function labelValues(base: string, expr: string, start: number, end: number): Promise<QueryOutcome> {
  const match = /^label_values\((?:(.+),\s*)?(\w+)\)$/.exec(expr.trim());
  if (!match) throw new Error(`a variable query hopscope does not use: ${expr}`);
  const [, metric, label] = match;
  const query = params({ start, end, ...(metric ? { 'match[]': metric } : {}) });
  const answer = await dataOf(`${base}/api/v1/label/${label}/values?${query}`);
  if ('problem' in answer) return { hasData: false, detail: answer.problem };
  const values = answer.data as string[];
  return { hasData: values.length > 0, detail: `${values.length} values` };
}

async function prometheus(base: string, query: DashboardQuery, start: number, end: number): Promise<QueryOutcome> {
  if (query.panel.startsWith('variable:')) return labelValues(base, query.expr, start, end);
  const url = query.instant
    ? `${base}/api/v1/query?${params({ query: query.expr, time: end })}`
    : `${base}/api/v1/query_range?${params({ query: query.expr, start, end, step: 15 })}`;
  const answer = await dataOf(url);
  if ('problem' in answer) return { hasData: false, detail: answer.problem };
  const { result } = answer.data as { result: { values?: unknown[]; value?: unknown }[] };
  const series = result.filter((r) => (r.values ? r.values.length > 0 : r.value !== undefined));
  return { hasData: series.length > 0, detail: `${series.length} series` };
}

async function loki(base: string, query: DashboardQuery, start: number, end: number): Promise<QueryOutcome> {
  const ns = (s: number) => `${s}000000000`;
  const url = query.instant
    ? `${base}/loki/api/v1/query?${params({ query: query.expr, time: ns(end) })}`
    : `${base}/loki/api/v1/query_range?${params({ query: query.expr, start: ns(start), end: ns(end), limit: 20 })}`;
  const answer = await dataOf(url);
  if ('problem' in answer) return { hasData: false, detail: answer.problem };
  const { result } = answer.data as { result: { values?: unknown[]; value?: unknown }[] };
  const entries = result.reduce((n, r) => n + (r.values?.length ?? (r.value === undefined ? 0 : 1)), 0);
  return { hasData: entries > 0, detail: `${result.length} streams or series, ${entries} entries` };
}

/** Grafana sends the editor's logfmt tags to Jaeger as JSON. */
function logfmtToJson(tags: string): string {
  const pairs = [...tags.matchAll(/([^\s=]+)=("[^"]*"|\S+)/g)].map(([, k, v]) => [k, v.replace(/^"|"$/g, '')]);
  return JSON.stringify(Object.fromEntries(pairs));
}

async function jaeger(base: string, query: DashboardQuery, start: number, end: number): Promise<QueryOutcome> {
  const search = query.jaeger;
  if (!search?.service) return { hasData: false, detail: 'a Jaeger search without a service' };
  const url = `${base}/api/traces?${params({
    service: search.service,
    operation: search.operation,
    tags: search.tags ? logfmtToJson(search.tags) : undefined,
    limit: search.limit ?? 20,
    start: start * 1_000_000,
    end: end * 1_000_000,
  })}`;
  const answer = await dataOf(url);
  if ('problem' in answer) return { hasData: false, detail: answer.problem };
  const traces = (answer.data as unknown[] | null) ?? [];
  return { hasData: traces.length > 0, detail: `${traces.length} traces` };
}

export async function runDashboardQuery(backends: Backends, query: DashboardQuery): Promise<QueryOutcome> {
  const end = Math.floor(Date.now() / 1000);
  const start = end - RANGE_S;
  try {
    if (query.backend === 'prometheus') return await prometheus(backends.prometheus, query, start, end);
    if (query.backend === 'loki') return await loki(backends.loki, query, start, end);
    return await jaeger(backends.jaeger, query, start, end);
  } catch (error) {
    return { hasData: false, detail: `failed to run: ${(error as Error).message}` };
  }
}
