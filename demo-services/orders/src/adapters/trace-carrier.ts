// The timeout sweeper acts long after the request that started a saga, outside any trace. To
// keep its compensation in the order's trace, the saga row stores the W3C headers
// (traceparent, baggage) of the moment it started, and the sweeper's work runs in that
// context again. The package has no helper for "continue a trace from stored headers", so
// this one file uses the OpenTelemetry API's propagator directly.
import { ROOT_CONTEXT, context, propagation } from '@opentelemetry/api';

/** The active trace context as W3C headers (empty when telemetry is off). */
export function currentTraceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Runs `fn` in the trace context the headers describe. */
export function inStoredTrace<T>(headers: Record<string, string>, fn: () => T): T {
  return context.with(propagation.extract(ROOT_CONTEXT, headers), fn);
}
