// Jaeger checks: a search of the run's time window (Jaeger's HTTP API, /api/traces, as its UI
// calls it) for a trace holding every span the scenario describes; and one trace by id, as the
// report's waterfall draws it.
import type { TraceData, TraceSpan } from '../run/record.ts';
import type { CheckContext, Observation } from './context.ts';
import { getJson } from './http.ts';

/** What a Jaeger check asks (the schema's `jaeger`, with any service name). */
export interface JaegerSpec {
  service: string;
  tags?: Record<string, string>;
  spans: readonly SpanMatcher[];
}

export interface SpanMatcher {
  service?: string;
  /** The span name, or a prefix of it ending in `*`. */
  operation?: string;
  error?: boolean;
}

/** Jaeger's JSON (its query API's model). */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: Array<{ refType: string; traceID: string; spanID: string }> | null;
  startTime: number;
  duration: number;
  tags?: Array<{ key: string; type?: string; value: unknown }> | null;
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags?: Array<{ key: string; value: unknown }> | null }>;
}

/** Traces a search returns at most; enough for a run's window of one service's traces with a tag. */
const SEARCH_LIMIT = 100;
/** …and when `error` is filtered here rather than by Jaeger (below): the error traces are among more. */
const ERROR_SEARCH_LIMIT = 300;

export async function evaluateJaeger(spec: JaegerSpec, ctx: CheckContext): Promise<Observation> {
  // Jaeger 2.13's in-memory store reads the search's `error` tag as a boolean attribute, but the
  // HTTP API hands it the string "true", which reads as false: `error=true` then finds only spans
  // with status OK, never an error (the store's validSpan; jaegertracing/jaeger#8553). So the
  // error tag is applied here, on the spans Jaeger returns, and the other tags are Jaeger's.
  const { error: errorTag, ...serverTags } = spec.tags ?? {};
  const params = new URLSearchParams({
    service: spec.service,
    start: String(Math.floor(ctx.windowStart) * 1000),
    end: String(Date.now() * 1000),
    limit: String(errorTag === undefined ? SEARCH_LIMIT : ERROR_SEARCH_LIMIT),
  });
  if (Object.keys(serverTags).length > 0) params.set('tags', JSON.stringify(serverTags));
  const reply = await getJson(
    `${ctx.jaeger}/api/traces?${params.toString()}`,
    ctx.signal ? { signal: ctx.signal } : {},
  );
  if (!reply.ok) return { holds: false, observed: `Jaeger: ${reply.problem}` };
  const found = (reply.body as { data?: JaegerTrace[] | null }).data ?? [];
  const traces =
    errorTag === undefined ? found : found.filter((trace) => hasSearchedSpan(trace, spec.service, spec.tags!));
  return judgeTraces(traces, spec);
}

/** Jaeger's search semantics: one span of the service carries every tag (on itself or its process). */
export function hasSearchedSpan(trace: JaegerTrace, service: string, tags: Record<string, string>): boolean {
  return trace.spans.some((span) => {
    if (serviceOf(trace, span) !== service) return false;
    const process = trace.processes[span.processID];
    const own = [...(span.tags ?? []), ...(process?.tags ?? [])];
    return Object.entries(tags).every(([key, value]) =>
      key === 'error'
        ? isError(span) === (value === 'true')
        : own.some((tag) => tag.key === key && String(tag.value) === value),
    );
  });
}

/**
 * The verdict over a search's traces: the most recent trace holding every matcher, or what
 * the closest trace lacked.
 */
export function judgeTraces(traces: readonly JaegerTrace[], spec: JaegerSpec): Observation {
  const searched = `${spec.service}${tagsText(spec.tags)}`;
  if (traces.length === 0) return { holds: false, observed: `no trace of ${searched} in the window` };
  // Most recent first: the example a learner opens should be from now, not the run's start.
  const byRecency = [...traces].sort((a, b) => traceStart(b) - traceStart(a));
  let closest: { trace: JaegerTrace; missing: SpanMatcher[] } | undefined;
  for (const trace of byRecency) {
    const missing = spec.spans.filter((matcher) => !trace.spans.some((span) => spanMatches(trace, span, matcher)));
    if (missing.length === 0) {
      return { holds: true, observed: describeTrace(trace), traceId: trace.traceID };
    }
    if (!closest || missing.length < closest.missing.length) closest = { trace, missing };
  }
  const lacking = closest!.missing.map(matcherText).join('; ');
  const plural = traces.length === 1 ? 'trace' : 'traces';
  return {
    holds: false,
    observed: `${traces.length} ${plural} of ${searched}, none with every span: the closest (${short(closest!.trace.traceID)}) lacks ${lacking}`,
  };
}

/** Whether a span is the one a matcher describes: every field given must match. */
export function spanMatches(trace: JaegerTrace, span: JaegerSpan, matcher: SpanMatcher): boolean {
  if (matcher.service !== undefined && serviceOf(trace, span) !== matcher.service) return false;
  if (matcher.operation !== undefined && !operationMatches(span.operationName, matcher.operation)) return false;
  if (matcher.error !== undefined && isError(span) !== matcher.error) return false;
  return true;
}

function operationMatches(name: string, pattern: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/**
 * A failed span, as Jaeger shows it: the `error` tag (Jaeger sets it from an OTLP ERROR
 * status) or the OTLP status itself, `otel.status_code`, for spans stored before that mapping.
 */
export function isError(span: JaegerSpan): boolean {
  return (span.tags ?? []).some(
    ({ key, value }) =>
      (key === 'error' && (value === true || value === 'true')) || (key === 'otel.status_code' && value === 'ERROR'),
  );
}

/** The trace, for the report: every span with its parent (the CHILD_OF reference within the trace), oldest first. */
export async function fetchTrace(jaeger: string, traceId: string, signal?: AbortSignal): Promise<TraceData> {
  const reply = await getJson(`${jaeger}/api/traces/${encodeURIComponent(traceId)}`, signal ? { signal } : {});
  if (!reply.ok) throw new Error(`Jaeger trace ${traceId}: ${reply.problem}`);
  const trace = (reply.body as { data?: JaegerTrace[] | null }).data?.[0];
  if (!trace) throw new Error(`Jaeger trace ${traceId}: not found`);
  return toTraceData(trace);
}

export function toTraceData(trace: JaegerTrace): TraceData {
  const spans = trace.spans.map((span): TraceSpan => {
    // FOLLOWS_FROM references are OTLP span links (e.g. a message's producer): not the parent.
    const parent = (span.references ?? []).find((ref) => ref.refType === 'CHILD_OF' && ref.traceID === trace.traceID);
    return {
      spanId: span.spanID,
      ...(parent ? { parentSpanId: parent.spanID } : {}),
      service: serviceOf(trace, span) ?? 'unknown',
      operation: span.operationName,
      startUs: span.startTime,
      durationUs: span.duration,
      error: isError(span),
    };
  });
  spans.sort((a, b) => a.startUs - b.startUs);
  return { traceId: trace.traceID, spans };
}

function serviceOf(trace: JaegerTrace, span: JaegerSpan): string | undefined {
  return trace.processes[span.processID]?.serviceName;
}

function traceStart(trace: JaegerTrace): number {
  return Math.min(...trace.spans.map((span) => span.startTime));
}

/** "trace 4bf92f3577b3…: 14 spans in 3 services, errors in payments, bank". */
function describeTrace(trace: JaegerTrace): string {
  const services = new Set(trace.spans.map((span) => serviceOf(trace, span) ?? 'unknown'));
  const failing = [...new Set(trace.spans.filter(isError).map((span) => serviceOf(trace, span) ?? 'unknown'))];
  const spans = `${trace.spans.length} span${trace.spans.length === 1 ? '' : 's'}`;
  const errors = failing.length ? `, error${failing.length === 1 ? '' : 's'} in ${failing.join(', ')}` : ', no error';
  return `trace ${short(trace.traceID)}: ${spans} in ${services.size} service${services.size === 1 ? '' : 's'}${errors}`;
}

function matcherText(matcher: SpanMatcher): string {
  const parts = [
    matcher.error === undefined ? 'a span' : matcher.error ? 'an error span' : 'a span without error',
    matcher.service === undefined ? '' : `of ${matcher.service}`,
    matcher.operation === undefined ? '' : `named ${matcher.operation}`,
  ];
  return parts.filter(Boolean).join(' ');
}

function tagsText(tags: Record<string, string> | undefined): string {
  const entries = Object.entries(tags ?? {});
  return entries.length ? ` with ${entries.map(([key, value]) => `${key}=${value}`).join(', ')}` : '';
}

function short(traceId: string): string {
  return `${traceId.slice(0, 12)}…`;
}
