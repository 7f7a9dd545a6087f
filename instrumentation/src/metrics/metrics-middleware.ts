import { trace } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { activeTelemetry } from '../telemetry-state.ts';
import { metricsHandler } from './metrics-server.ts';
import { recordScrape } from './scrape-requests.ts';

/**
 * Serves the package's metrics in OpenMetrics format: `app.get('/metrics', metricsMiddleware())`,
 * or on any other path. Its scrapes are not traffic: no spans, no RED metrics.
 * Answers 503 until `start()` (or the register flag) has run.
 */
export function metricsMiddleware() {
  return (request: IncomingMessage, response: ServerResponse): void => {
    recordScrape(request, trace.getActiveSpan()?.spanContext().traceId);
    const registry = activeTelemetry()?.metrics.registry;
    if (!registry) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('hopscope telemetry is not started\n');
      return;
    }
    metricsHandler(registry)(request, response);
  };
}
