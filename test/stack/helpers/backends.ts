// The backends' own HTTP query APIs, as Grafana and a user's curl call them.
import { URLS } from '../../../stack/ports.ts';

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export interface JaegerSpan {
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; spanID: string }>;
  tags: Array<{ key: string; value: unknown }>;
  processID: string;
}
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** The trace as Jaeger's query API returns it, or undefined while Jaeger does not have it. */
export async function jaegerTrace(traceId: string): Promise<JaegerTrace | undefined> {
  const response = await fetch(`${URLS.jaeger}/api/traces/${traceId}`, { signal: AbortSignal.timeout(10_000) });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`Jaeger: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { data: JaegerTrace[] | null };
  return body.data?.[0];
}

export function spanKind(span: JaegerSpan): unknown {
  return span.tags.find((tag) => tag.key === 'span.kind')?.value;
}

export interface LokiEntry {
  stream: Record<string, string>;
  line: string;
  structuredMetadata: Record<string, string>;
}

/** Log lines for a LogQL query over the last 15 minutes, labels and metadata kept apart. */
export async function lokiQuery(logql: string): Promise<LokiEntry[]> {
  const start = String((Date.now() - 15 * 60_000) * 1e6);
  const url = `${URLS.loki}/loki/api/v1/query_range?limit=1000&start=${start}&query=${encodeURIComponent(logql)}`;
  // This flag makes Loki say which labels are stream labels and which structured metadata.
  const body = await getJson<{
    data: {
      result: Array<{
        stream: Record<string, string>;
        values: Array<[string, string, { structuredMetadata?: Record<string, string> }?]>;
      }>;
    };
  }>(url, { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' });
  return body.data.result.flatMap((result) =>
    result.values.map(([, line, categories]) => ({
      stream: result.stream,
      line,
      structuredMetadata: categories?.structuredMetadata ?? {},
    })),
  );
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export async function promQuery(promql: string): Promise<PromSample[]> {
  const body = await getJson<{ data: { result: PromSample[] } }>(
    `${URLS.prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`,
  );
  return body.data.result;
}

export interface PromExemplars {
  seriesLabels: Record<string, string>;
  exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>;
}

export async function promExemplars(promql: string): Promise<PromExemplars[]> {
  const end = Date.now() / 1000;
  const body = await getJson<{ data: PromExemplars[] }>(
    `${URLS.prometheus}/api/v1/query_exemplars?start=${end - 900}&end=${end}&query=${encodeURIComponent(promql)}`,
  );
  return body.data;
}
