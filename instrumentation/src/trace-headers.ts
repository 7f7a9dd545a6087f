import { ROOT_CONTEXT, context, propagation } from '@opentelemetry/api';

/**
 * The active trace context (and baggage) as W3C headers, to store with work that continues
 * later, elsewhere: a saga row a timeout sweeper picks up, a scheduled job. Empty when
 * telemetry is off or nothing is traced. The outbox stores its rows' context the same way.
 */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * Runs `fn` in the trace context stored headers describe, so that its spans and log lines join
 * that trace. Headers that do not parse (read back from a database, say) start no trace and
 * never throw: `fn` runs in an empty context.
 */
export function withTraceHeaders<T>(headers: Record<string, unknown>, fn: () => T): T {
  return context.with(propagation.extract(ROOT_CONTEXT, headers), fn);
}
