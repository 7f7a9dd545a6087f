import type { IncomingMessage } from 'node:http';

// Prometheus scrapes are not traffic: they make no span and no RED metric, wherever
// metricsMiddleware() is mounted. The http instrumentation decides whether to trace a request
// before any middleware runs, so the path is learnt from the first scrape the middleware
// serves: later scrapes of it are not traced at all, and the spans of that first one (those
// still open when it is recognised, the server span among them) are dropped by trace id.

/** Where the package serves its own metrics (HOPSCOPE_METRICS_PORT). */
export const METRICS_PATH = '/metrics';

// Bounds, for a middleware mounted on a path with parameters: past them a scrape is still
// recognised, by the trace id of its spans, just no longer before it is traced.
const MAX_SCRAPE_PATHS = 32;
const MAX_SCRAPE_TRACES = 256;

const scrapePaths = new Set([METRICS_PATH]);
const scrapeTraces = new Set<string>();

/** Whether an incoming request is a scrape of a path metrics are known to be served on. */
export function isScrapeRequest(request: IncomingMessage): boolean {
  return scrapePaths.has(pathOf(request.url));
}

/**
 * Called by the metrics middleware for each scrape it serves: remembers its path (the full
 * one, under whatever router prefix) and, when the scrape was traced, its trace.
 */
export function recordScrape(request: IncomingMessage, traceId: string | undefined): void {
  const path = pathOf((request as { originalUrl?: string }).originalUrl ?? request.url);
  if (scrapePaths.size < MAX_SCRAPE_PATHS) scrapePaths.add(path);
  if (traceId === undefined) return;
  scrapeTraces.add(traceId);
  if (scrapeTraces.size > MAX_SCRAPE_TRACES) scrapeTraces.delete(scrapeTraces.values().next().value!);
}

/** Whether a span belongs to a scrape recorded while it was traced. */
export function isScrapeTrace(traceId: string): boolean {
  return scrapeTraces.has(traceId);
}

function pathOf(url: string | undefined): string {
  const path = url ?? '';
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}
