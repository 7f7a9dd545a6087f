// The correlations grafana/provisioning/datasources/hopscope.yaml sets up, followed the way
// Grafana follows them, but against the backends' own HTTP APIs (no Grafana runs here): the
// settings are read from the provisioning file (after Grafana's `$$` interpolation), the derived
// field is matched and the trace-to-logs/metrics queries are interpolated as Grafana 12's
// frontend does (public/app/plugins/datasource/loki/getDerivedFields.ts,
// public/app/features/explore/TraceView/createSpanLink.tsx), and each link is then run. A link
// that leads nowhere here leads nowhere in Grafana.
import {
  type DerivedField,
  type LinkTag,
  type ProvisionedDatasource,
  provisionedDatasource,
} from '../../../grafana/src/provisioning.ts';

export interface CorrelationBackends {
  prometheus: string;
  loki: string;
  jaeger: string;
}

interface JaegerTag {
  key: string;
  value: unknown;
}
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  processID: string;
  tags: JaegerTag[];
  references?: Array<{ refType: string; spanID: string }>;
}
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags?: JaegerTag[] }>;
}

export interface LokiLine {
  /** Nanoseconds since the epoch, as Loki returns it. */
  timestampNs: string;
  line: string;
  stream: Record<string, string>;
  structuredMetadata: Record<string, string>;
  parsed: Record<string, string>;
}

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${(await response.text()).slice(0, 300)}`);
  return (await response.json()) as T;
}

const query = (values: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(values).map(([k, v]): [string, string] => [k, String(v)])).toString();

/** The trace Jaeger's query API returns for an id (what Grafana's Jaeger datasource asks), or undefined. */
export async function jaegerTraceById(jaeger: string, traceId: string): Promise<JaegerTrace | undefined> {
  const response = await fetch(`${jaeger}/api/traces/${encodeURIComponent(traceId)}`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`Jaeger /api/traces/${traceId}: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { data: JaegerTrace[] | null };
  const trace = body.data?.[0];
  return trace && trace.spans.length > 0 ? trace : undefined;
}

/** The first of `traceIds` (in order) that Jaeger holds, with how many were asked. */
async function firstTraceInJaeger(
  jaeger: string,
  traceIds: string[],
  maxTries: number,
): Promise<{ traceId: string; trace: JaegerTrace; tried: number } | undefined> {
  let tried = 0;
  for (const traceId of traceIds.slice(0, maxTries)) {
    tried++;
    const trace = await jaegerTraceById(jaeger, traceId);
    if (trace) return { traceId, trace, tried };
  }
  return undefined;
}

/** The provisioned datasource a correlation links to, checked to be the one of `type`. */
function target(uid: string | undefined, type: string): ProvisionedDatasource {
  const datasource = provisionedDatasource(type);
  if (uid !== datasource.uid) throw new Error(`the correlation links to ${uid}, not to the ${type} datasource`);
  return datasource;
}

// ── (a) Prometheus exemplar → Jaeger ────────────────────────────────────────────────────────

export interface ExemplarLink {
  /** The exemplar label exemplarTraceIdDestinations names. */
  label: string;
  traceId: string;
  trace: JaegerTrace;
  /** Exemplars carrying that label in the window, and how many trace ids were tried. */
  exemplars: number;
  tried: number;
}

/**
 * An exemplar of `metric` from Prometheus' exemplar API, newest first, whose trace id (the
 * label exemplarTraceIdDestinations names) Jaeger returns a trace for; undefined while none
 * does (the collector keeps only some traces: tail sampling).
 */
export async function exemplarToTrace(
  backends: CorrelationBackends,
  { metric = 'http_server_request_duration_seconds_bucket', windowSeconds = 900, maxTries = 100 } = {},
): Promise<ExemplarLink | undefined> {
  const destinations = provisionedDatasource('prometheus').jsonData?.exemplarTraceIdDestinations ?? [];
  const destination = destinations.find((d) => d.datasourceUid !== undefined);
  if (!destination) throw new Error('no exemplarTraceIdDestinations with an internal link in provisioning');
  target(destination.datasourceUid, 'jaeger');
  const end = Date.now() / 1000;
  const body = await getJson<{
    data: Array<{ exemplars: Array<{ labels: Record<string, string>; timestamp: number }> }>;
  }>(`${backends.prometheus}/api/v1/query_exemplars?${query({ query: metric, start: end - windowSeconds, end })}`);
  const exemplars = body.data
    .flatMap((series) => series.exemplars)
    .filter((exemplar) => exemplar.labels[destination.name])
    .sort((a, b) => b.timestamp - a.timestamp);
  const traceIds = [...new Set(exemplars.map((exemplar) => exemplar.labels[destination.name]))];
  const found = await firstTraceInJaeger(backends.jaeger, traceIds, maxTries);
  return found && { label: destination.name, exemplars: exemplars.length, ...found };
}

// ── (b) Loki derived field → Jaeger ─────────────────────────────────────────────────────────

/**
 * What Grafana puts in a line's `labels` field, which a `label` derived field searches:
 * stream labels, structured metadata and parsed labels together (Loki's categorize-labels).
 */
export function grafanaLineLabels(line: LokiLine): Record<string, string> {
  return { ...line.stream, ...line.structuredMetadata, ...line.parsed };
}

/**
 * The value a derived field takes on one line, as getDerivedFields.ts computes it: for
 * `label`, the value of the first label whose name matcherRegex matches (unanchored
 * RegExp.test); for `regex` (the default), the first capture group on the line.
 */
export function derivedFieldValue(field: DerivedField, line: LokiLine): string | undefined {
  if (field.matcherType === 'label') {
    const labels = grafanaLineLabels(line);
    const matcher = new RegExp(field.matcherRegex);
    const key = Object.keys(labels).find((name) => matcher.test(name));
    return key === undefined ? undefined : labels[key];
  }
  return line.line.match(field.matcherRegex)?.[1] || undefined;
}

/** The derived field's link query with the field's value in `${__value.raw}`: what Jaeger is asked. */
export function derivedFieldQuery(field: DerivedField, value: string): string {
  return (field.url ?? '${__value.raw}').replaceAll('${__value.raw}', value);
}

function lokiEntries(body: {
  data: {
    result: Array<{
      stream: Record<string, string>;
      values: Array<
        [string, string, { structuredMetadata?: Record<string, string>; parsed?: Record<string, string> }?]
      >;
    }>;
  };
}): LokiLine[] {
  return body.data.result
    .flatMap((result) =>
      result.values.map(([timestampNs, line, categories]) => ({
        timestampNs,
        line,
        stream: result.stream,
        structuredMetadata: categories?.structuredMetadata ?? {},
        parsed: categories?.parsed ?? {},
      })),
    )
    .sort((a, b) => (BigInt(b.timestampNs) > BigInt(a.timestampNs) ? 1 : -1));
}

/** Log lines for a LogQL query between two times (ms), newest first, labels kept by category. */
export async function lokiLines(
  loki: string,
  logql: string,
  startMs: number,
  endMs: number,
  limit = 1000,
): Promise<LokiLine[]> {
  const url = `${loki}/loki/api/v1/query_range?${query({
    query: logql,
    start: `${Math.floor(startMs)}000000`,
    end: `${Math.ceil(endMs)}000000`,
    limit,
    direction: 'backward',
  })}`;
  // The header Grafana's Loki datasource sends, so that structured metadata comes back apart.
  return lokiEntries(await getJson(url, { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' }));
}

export interface DerivedFieldLink {
  field: DerivedField;
  line: LokiLine;
  traceId: string;
  trace: JaegerTrace;
  /** Lines read, lines the field matched, and trace ids tried in Jaeger. */
  lines: number;
  matched: number;
  tried: number;
}

/**
 * A real Loki line (of `logql`, newest first) on which the provisioned derived field yields a
 * trace id that Jaeger returns a trace for; undefined while none does.
 */
export async function logLineToTrace(
  backends: CorrelationBackends,
  { logql = '{service_name=~".+"}', windowMinutes = 15, maxTries = 100 } = {},
): Promise<DerivedFieldLink | undefined> {
  const [field] = provisionedDatasource('loki').jsonData?.derivedFields ?? [];
  if (!field) throw new Error('no Loki derived field in provisioning');
  target(field.datasourceUid, 'jaeger');
  const lines = await lokiLines(backends.loki, logql, Date.now() - windowMinutes * 60_000, Date.now());
  const byTraceId = new Map<string, LokiLine>();
  for (const line of lines) {
    const value = derivedFieldValue(field, line);
    if (value === undefined) continue;
    const traceId = derivedFieldQuery(field, value);
    if (!byTraceId.has(traceId)) byTraceId.set(traceId, line);
  }
  const found = await firstTraceInJaeger(backends.jaeger, [...byTraceId.keys()], maxTries);
  if (!found) return undefined;
  const matched = lines.filter((line) => derivedFieldValue(field, line) !== undefined).length;
  return { field, line: byTraceId.get(found.traceId)!, lines: lines.length, matched, ...found };
}

// ── (c) Jaeger span → Loki and Prometheus ───────────────────────────────────────────────────

/** Thrown where Grafana would not show a link: a variable of its query does not resolve. */
export class UnresolvedLinkVariable extends Error {
  readonly code = 'UNRESOLVED_LINK_VARIABLE';
}

type Variables = Record<string, unknown>;

/**
 * The variables Grafana gives a span's links (scopedVarsFromSpan, scopedVarsFromTrace): the
 * span's tags are its process's tags overlaid with its own, so a resource attribute is there
 * only if Jaeger reports it as a process tag (service.name never is: it is the serviceName).
 */
export function grafanaSpanVariables(trace: JaegerTrace, span: JaegerSpan): Variables {
  const tags: Record<string, unknown> = {};
  for (const tag of trace.processes[span.processID]?.tags ?? []) tags[tag.key] = tag.value;
  for (const tag of span.tags) tags[tag.key] = tag.value;
  const root = rootSpan(trace);
  return {
    __span: {
      spanId: span.spanID,
      traceId: span.traceID,
      // Grafana holds span times in milliseconds.
      duration: span.duration / 1000,
      name: span.operationName,
      tags,
    },
    __trace: {
      traceId: trace.traceID,
      duration: (Math.max(...trace.spans.map((s) => s.startTime + s.duration)) - root.startTime) / 1000,
      name: `${trace.processes[root.processID]?.serviceName}: ${root.operationName}`,
    },
  };
}

/** Grafana's tags when a correlation lists none (crossSignalConfig.ts), dots made underscores. */
const DEFAULT_LINK_TAGS: LinkTag[] = [
  'cluster',
  'hostname',
  'namespace',
  'pod',
  'service.name',
  'service.namespace',
].map((key) => ({ key, value: key.includes('.') ? key.replaceAll('.', '_') : undefined }));

/**
 * `$__tags` as Grafana fills it for a span (getFormattedTags over getSpanTags): `label="value"`
 * for each listed tag the span has, joined by `, `.
 */
export function grafanaTagsVariable(trace: JaegerTrace, span: JaegerSpan, tagsToUse: LinkTag[] | undefined): string {
  const use = tagsToUse && tagsToUse.length > 0 ? tagsToUse : DEFAULT_LINK_TAGS;
  const spanTags = [
    ...(trace.processes[span.processID]?.tags ?? []),
    ...span.tags,
    { key: 'spanId', value: span.spanID },
    { key: 'traceId', value: span.traceID },
    { key: 'name', value: span.operationName },
    { key: 'duration', value: span.duration / 1000 },
  ];
  return spanTags
    .flatMap((tag) => {
      const wanted = use.find((t) => t.key === tag.key);
      return wanted ? [`${wanted.value || wanted.key}="${String(tag.value)}"`] : [];
    })
    .join(', ');
}

/** `tags["service.name"]`, `tags.method`, `traceId` → the value at that path, like lodash get. */
function valueAt(value: unknown, path: string): unknown {
  const keys = [...path.matchAll(/\[\s*(?:"([^"]*)"|'([^']*)'|(\d+))\s*\]|([^.[\]]+)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3] ?? m[4],
  );
  return keys.reduce<unknown>(
    (node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
    value,
  );
}

/**
 * A link query with Grafana's template variables replaced (its template service's syntax:
 * `$name`, `${name}`, `${name.path}`, `${name:format}`, `[[name]]`); throws
 * UnresolvedLinkVariable for one that is not defined, where Grafana hides the link.
 */
export function interpolateLinkQuery(template: string, variables: Variables): string {
  const syntax = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;
  return template.replace(
    syntax,
    (match, plain?: string, bracketed?: string, _f1?: string, braced?: string, path?: string) => {
      const name = plain ?? bracketed ?? braced ?? '';
      let value: unknown = variables[name];
      if (value !== undefined && path !== undefined) value = valueAt(value, path);
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw new UnresolvedLinkVariable(`${match} does not resolve for this span: Grafana would not show the link`);
    },
  );
}

/** Grafana's time shift strings (`-1m`, `5m`, `30s`, `1h`) in milliseconds. */
export function shiftMs(shift: string | undefined): number {
  if (!shift) return 0;
  const match = /^(-?\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(shift.trim());
  if (!match) throw new Error(`a time shift Grafana would not read: ${shift}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** The span's time range with a correlation's shifts, in ms (getTimeRangeFromSpan). */
function spanRange(span: JaegerSpan, startShift: string | undefined, endShift: string | undefined) {
  const startMs = Math.floor(span.startTime / 1000 + shiftMs(startShift));
  let endMs = Math.floor((span.startTime + span.duration) / 1000 + shiftMs(endShift));
  if (endMs === startMs) endMs++;
  return { startMs, endMs };
}

/** The trace's root span (no CHILD_OF parent inside the trace), else its earliest. */
export function rootSpan(trace: JaegerTrace): JaegerSpan {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const roots = trace.spans.filter(
    (s) => !(s.references ?? []).some((r) => r.refType === 'CHILD_OF' && ids.has(r.spanID)),
  );
  return [...(roots.length > 0 ? roots : trace.spans)].sort((a, b) => a.startTime - b.startTime)[0];
}

export interface TraceToLogsLink {
  /** The LogQL Grafana would open, variables filled in. */
  query: string;
  startMs: number;
  endMs: number;
  lines: LokiLine[];
}

/** The tracesToLogsV2 link of one span of a real trace (its root by default), run against Loki. */
export async function traceToLogs(
  backends: CorrelationBackends,
  trace: JaegerTrace,
  span: JaegerSpan = rootSpan(trace),
): Promise<TraceToLogsLink> {
  const settings = provisionedDatasource('jaeger').jsonData?.tracesToLogsV2;
  if (!settings?.customQuery || !settings.query) throw new Error('tracesToLogsV2 has no custom query in provisioning');
  target(settings.datasourceUid, 'loki');
  const logql = interpolateLinkQuery(settings.query, {
    ...grafanaSpanVariables(trace, span),
    __tags: grafanaTagsVariable(trace, span, settings.tags),
  });
  const { startMs, endMs } = spanRange(span, settings.spanStartTimeShift, settings.spanEndTimeShift);
  return { query: logql, startMs, endMs, lines: await lokiLines(backends.loki, logql, startMs, endMs) };
}

export interface TraceToMetricsLink {
  name: string;
  /** The PromQL Grafana would open, variables filled in. */
  query: string;
  /** Series with at least one sample over the link's range. */
  series: number;
}

/** Every tracesToMetrics link of one span (its trace's root by default), run against Prometheus. */
export async function traceToMetrics(
  backends: CorrelationBackends,
  trace: JaegerTrace,
  span: JaegerSpan = rootSpan(trace),
): Promise<TraceToMetricsLink[]> {
  const settings = provisionedDatasource('jaeger').jsonData?.tracesToMetrics;
  if (!settings) throw new Error('no tracesToMetrics in provisioning');
  target(settings.datasourceUid, 'prometheus');
  const variables = { ...grafanaSpanVariables(trace, span), __tags: grafanaTagsVariable(trace, span, settings.tags) };
  // Grafana's defaults for metrics links: two minutes either side of the span.
  const { startMs, endMs } = spanRange(span, settings.spanStartTimeShift ?? '-2m', settings.spanEndTimeShift ?? '2m');
  const links: TraceToMetricsLink[] = [];
  for (const { name, query: template } of settings.queries) {
    const promql = interpolateLinkQuery(template, variables);
    const body = await getJson<{ data: { result: Array<{ values: unknown[] }> } }>(
      `${backends.prometheus}/api/v1/query_range?${query({
        query: promql,
        start: startMs / 1000,
        end: Math.min(endMs, Date.now()) / 1000,
        step: 15,
      })}`,
    );
    links.push({ name, query: promql, series: body.data.result.filter((r) => r.values.length > 0).length });
  }
  return links;
}
