// PromQL checks: an instant query at Prometheus' own HTTP API (/api/v1/query) whose every
// sample must satisfy the comparison, and the key series of a run for the report
// (/api/v1/query_range).
import type { SeriesData } from '../run/record.ts';
import { type Comparison, formatValue, parseComparison, parseSampleValue, satisfies } from './comparison.ts';
import type { CheckContext, Observation } from './context.ts';
import { getJson } from './http.ts';

type Labels = Record<string, string>;
type Sample = { metric: Labels; value: [number, string] };

interface QueryData {
  resultType: 'vector' | 'scalar' | 'matrix' | 'string';
  result: unknown;
}

/** Samples listed in `observed` at most (the rest are counted). */
const LISTED = 5;

/**
 * Evaluates `query` now. Every sample must satisfy `expect`; no sample does not hold (the
 * series the hypothesis is about does not exist, which is no evidence that it holds). A query
 * Prometheus refuses does not hold either, and `observed` quotes Prometheus' reason.
 */
export async function evaluatePromQL(query: string, expect: string, ctx: CheckContext): Promise<Observation> {
  const comparison = parseComparison(expect);
  const reply = await getJson(`${ctx.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (!reply.ok) return { holds: false, observed: `Prometheus: ${reply.problem}` };
  const data = (reply.body as { data?: QueryData }).data;
  if (data?.resultType === 'scalar') {
    const value = parseSampleValue((data.result as [number, string])[1]);
    return { holds: satisfies(value, comparison), observed: `scalar: ${formatValue(value)}` };
  }
  if (data?.resultType !== 'vector') {
    return {
      holds: false,
      observed: `Prometheus answered a ${data?.resultType ?? 'missing'} result: an instant vector is needed`,
    };
  }
  return judgeSamples(data.result as Sample[], comparison);
}

/** The verdict over an instant vector, and what a person needs to see of it. */
export function judgeSamples(samples: readonly Sample[], comparison: Comparison): Observation {
  if (samples.length === 0) return { holds: false, observed: 'no sample' };
  const judged = samples.map((sample) => {
    const value = parseSampleValue(sample.value[1]);
    return { metric: sample.metric, value, ok: satisfies(value, comparison) };
  });
  const failing = judged.filter((s) => !s.ok);
  const varying = varyingLabels(samples.map((s) => s.metric));
  const describe = (s: (typeof judged)[number]): string => {
    const labels = varying.map((key) => `${key}="${s.metric[key] ?? ''}"`).join(', ');
    return labels ? `{${labels}} ${formatValue(s.value)}` : formatValue(s.value);
  };
  const list = (items: typeof judged): string => {
    const shown = items.slice(0, LISTED).map(describe).join(', ');
    return items.length > LISTED ? `${shown}, … ${items.length - LISTED} more` : shown;
  };
  const count = `${samples.length} sample${samples.length === 1 ? '' : 's'}`;
  if (failing.length === 0) return { holds: true, observed: `${count}: ${list(judged)}` };
  if (samples.length === 1) return { holds: false, observed: `${count}: ${list(judged)}, not ${comparison.text}` };
  return {
    holds: false,
    observed: `${failing.length} of ${count} not ${comparison.text}: ${list(failing)}`,
  };
}

/** The labels that tell the samples apart (all of one sample's would be noise). */
function varyingLabels(metrics: readonly Labels[]): string[] {
  if (metrics.length < 2) return [];
  const keys = new Set(metrics.flatMap((m) => Object.keys(m)));
  return [...keys].filter((key) => new Set(metrics.map((m) => m[key])).size > 1).sort();
}

/**
 * The series of `promql` over [startMs, endMs] every `stepS` seconds, for the report's charts.
 * Points that are not finite (NaN for 0/0, ±Inf) are left out: a chart shows them as gaps.
 * Throws when Prometheus refuses the query: the report cannot draw what it did not get.
 */
export async function fetchSeries(
  prometheus: string,
  promql: string,
  startMs: number,
  endMs: number,
  stepS: number,
  signal?: AbortSignal,
): Promise<SeriesData['lines']> {
  const params = new URLSearchParams({
    query: promql,
    start: String(startMs / 1000),
    end: String(endMs / 1000),
    step: String(stepS),
  });
  const reply = await getJson(`${prometheus}/api/v1/query_range?${params.toString()}`, signal ? { signal } : {});
  if (!reply.ok) throw new Error(`Prometheus query_range ${promql}: ${reply.problem}`);
  const data = (reply.body as { data?: { resultType: string; result: unknown } }).data;
  if (data?.resultType !== 'matrix') throw new Error(`Prometheus query_range ${promql}: a ${data?.resultType} result`);
  const result = data.result as Array<{ metric: Labels; values: Array<[number, string]> }>;
  return result.map(({ metric, values }) => ({
    labels: metric,
    points: values
      .map(([time, value]): [number, number] => [time, parseSampleValue(value)])
      .filter(([, value]) => Number.isFinite(value)),
  }));
}
