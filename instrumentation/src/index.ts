// The root entry point: exactly the API instrumentation/README.md documents. Helpers for
// breakers, sagas and messaging live in their own light subpaths.
export { forceFlush, shutdown, start } from './start.ts';
export type { StartOptions } from './types.ts';
export type { Telemetry } from './telemetry-state.ts';
export { DEFAULT_REDACT_PATHS, createLogger } from './logs/logger.ts';
export type { LoggerOptions } from './logs/logger.ts';
export { baggageBoundary, traceResponse } from './http-boundary.ts';
export { traceHeaders, withTraceHeaders } from './trace-headers.ts';
export { metricsMiddleware } from './metrics/metrics-middleware.ts';
export { setChaosFaultActive } from './metrics/chaos-metrics.ts';
export * as metricNames from './metrics/names.ts';
