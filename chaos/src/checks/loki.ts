// LogQL checks: the lines a log query finds in the run's time window (Loki's HTTP API,
// /loki/api/v1/query_range), counted against a threshold, and whether each carries the trace
// id that links it to its trace. In this stack logs reach Loki through the collector's OTLP
// exporter into Loki's native OTLP endpoint: `service_name` is a stream label, `trace_id`
// structured metadata (a label would make one stream per trace).
import { type Comparison, parseComparison, satisfies } from './comparison.ts';
import type { CheckContext, Observation } from './context.ts';
import { getJson } from './http.ts';

export interface LogExpectation {
  /** How many lines. @default "> 0" */
  lines?: string;
  /** Every line counted carries structured metadata `trace_id`. @default false */
  traceId?: boolean;
}

/** Lines a query returns at most: Loki's default `max_entries_limit_per_query`. */
export const LINE_LIMIT = 5000;

export interface LogLine {
  /** Epoch nanoseconds, as Loki gives them (beyond a double's precision). */
  timeNs: bigint;
  line: string;
  traceId?: string;
}

interface StreamsData {
  resultType: string;
  result: Array<{
    stream: Record<string, string>;
    values: Array<[string, string, { structuredMetadata?: Record<string, string> }?]>;
  }>;
}

export async function evaluateLogQL(
  query: string,
  expect: LogExpectation | undefined,
  ctx: CheckContext,
): Promise<Observation> {
  const params = new URLSearchParams({
    query,
    start: `${Math.floor(ctx.windowStart)}000000`,
    end: `${Date.now()}000000`,
    direction: 'backward',
    limit: String(LINE_LIMIT),
  });
  const reply = await getJson(`${ctx.loki}/loki/api/v1/query_range?${params.toString()}`, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    // Without this flag Loki merges structured metadata into the stream labels; with it each
    // entry carries its own `structuredMetadata`, apart from the stream's labels.
    headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
  });
  if (!reply.ok) return { holds: false, observed: `Loki: ${reply.problem}` };
  const data = (reply.body as { data?: StreamsData }).data;
  if (data?.resultType !== 'streams') {
    return { holds: false, observed: `Loki answered a ${data?.resultType ?? 'missing'} result: a log query is needed` };
  }
  return judgeLines(linesOf(data), expect);
}

/** Every line of a streams result, newest first. */
export function linesOf(data: StreamsData): LogLine[] {
  const lines = data.result.flatMap(({ values }) =>
    values.map(([time, line, categories]): LogLine => {
      const traceId = categories?.structuredMetadata?.['trace_id'];
      return { timeNs: BigInt(time), line, ...(traceId ? { traceId } : {}) };
    }),
  );
  return lines.sort((a, b) => (a.timeNs === b.timeNs ? 0 : a.timeNs > b.timeNs ? -1 : 1));
}

/** The verdict over the lines found; the trace id returned is the newest line's. */
export function judgeLines(lines: readonly LogLine[], expect: LogExpectation | undefined): Observation {
  const comparison: Comparison = parseComparison(expect?.lines ?? '> 0');
  const capped = lines.length >= LINE_LIMIT ? ` (Loki's limit: there may be more)` : '';
  const count = `${lines.length} line${lines.length === 1 ? '' : 's'}${capped}`;
  const traceId = lines.find((l) => isTraceId(l.traceId))?.traceId;
  const countHolds = satisfies(lines.length, comparison);
  const withoutTrace = lines.filter((l) => !isTraceId(l.traceId));
  const traceHolds = !expect?.traceId || withoutTrace.length === 0;
  const parts = [countHolds ? count : `${count}, not ${comparison.text}`];
  if (expect?.traceId && lines.length > 0) {
    parts.push(
      traceHolds
        ? `all with a trace id`
        : `${withoutTrace.length} without a trace id, e.g. ${JSON.stringify(excerpt(withoutTrace[0].line))}`,
    );
  }
  if (traceId) parts.push(`newest trace ${traceId.slice(0, 12)}…`);
  return { holds: countHolds && traceHolds, observed: parts.join(', '), ...(traceId ? { traceId } : {}) };
}

/** A W3C trace id: 32 hex digits, not all zero (the invalid id a log outside any span may carry). */
function isTraceId(value: string | undefined): value is string {
  return value !== undefined && /^[0-9a-f]{32}$/i.test(value) && !/^0+$/.test(value);
}

function excerpt(line: string): string {
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
