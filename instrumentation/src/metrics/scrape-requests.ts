import type { IncomingMessage } from 'node:http';

/** Where the package serves its own metrics (HOPSCOPE_METRICS_PORT). */
export const METRICS_PATH = '/metrics';

/** A Prometheus scrape of the package's metrics: not traffic, so no span and no RED metric. */
export function isScrapeRequest(request: IncomingMessage): boolean {
  return request.url === METRICS_PATH;
}
