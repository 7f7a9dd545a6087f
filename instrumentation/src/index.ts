import type { IncomingMessage, ServerResponse } from 'node:http';
import { metricsHandler } from './metrics/metrics-server.ts';
import * as metricNames from './metrics/names.ts';
import { activeTelemetry } from './telemetry-state.ts';

export { readConfig } from './config.ts';
export type { ConfigResult, ConsumeContextMode, SamplerName, TelemetryConfig } from './config.ts';
export { baggageBoundary, traceResponse } from './http-boundary.ts';
export { DEFAULT_REDACT_PATHS, createLogger } from './logs/logger.ts';
export type { LoggerOptions } from './logs/logger.ts';
export { setChaosFaultActive } from './metrics/chaos-metrics.ts';
export { startMetricsServer } from './metrics/metrics-server.ts';
export { createRegistry, createTelemetryMetrics } from './metrics/telemetry-metrics.ts';
export type { TelemetryMetrics } from './metrics/telemetry-metrics.ts';
export { RabbitmqClientInstrumentation } from './rabbitmq-client-instrumentation.ts';
export type { RabbitmqClientInstrumentationConfig } from './rabbitmq-client-instrumentation.ts';
export { SafePropagator } from './safe-propagator.ts';
export { traceHeaders, withTraceHeaders } from './trace-headers.ts';
export { metricNames };
export { METRICS_PATH, forceFlush, shutdown, start } from './start.ts';
export { activeTelemetry } from './telemetry-state.ts';
export type { Telemetry } from './telemetry-state.ts';
export type { StartOptions } from './types.ts';

/**
 * Serves the package's metrics in OpenMetrics format: `app.get('/metrics', metricsMiddleware())`.
 * Answers 503 until `start()` (or the register flag) has run.
 */
export function metricsMiddleware() {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const registry = activeTelemetry()?.metrics.registry;
    if (!registry) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('hopscope telemetry is not started\n');
      return;
    }
    metricsHandler(registry)(request, response);
  };
}
