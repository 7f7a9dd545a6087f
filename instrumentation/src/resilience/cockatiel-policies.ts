import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { assertBoundedName } from '../check-name.ts';
import { resolveRegistry } from '../metrics/shared-metrics.ts';
import { safely } from '../safely.ts';
import { type Instrumented, instrumentOnce, replaceMethod } from './instrumented.ts';
import { bulkheadReaders, policyMetrics } from './policy-metrics.ts';

export interface PolicyTelemetryOptions {
  /** The `policy` label: 1-64 characters of [a-zA-Z0-9_.:-]. */
  name: string;
  /**
   * Where the metrics go.
   * @default the registry `start()` set up, else prom-client's global registry
   */
  registry?: Registry;
}

type Listener<T> = (listener: (event: T) => void) => { dispose(): void };

/** The parts of cockatiel's policies we use (structural, so cockatiel stays optional). */
export interface CockatielRetry {
  readonly onRetry: Listener<{ delay: number; attempt: number }>;
  execute<T>(
    fn: (context: { attempt: number; signal: AbortSignal }) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T>;
}
export interface CockatielTimeout {
  readonly onTimeout: Listener<void>;
}
export interface CockatielBulkhead {
  readonly executionSlots: number;
  readonly queueSlots: number;
  readonly onReject: Listener<void>;
}

const tracer = () => trace.getTracer('@hopscope/instrumentation');

/**
 * A cockatiel retry policy, observable: each attempt is a span (`<name> attempt`, with
 * `hopscope.retry.attempt`), attempts are counted by outcome, calls by result, and each chosen
 * backoff delay is recorded. Returns the same policy, with `dispose()`; instrumenting it again
 * before that changes nothing.
 */
export function instrumentCockatielRetry<P extends CockatielRetry>(
  policy: P,
  options: PolicyTelemetryOptions,
): Instrumented<P> {
  const name = assertBoundedName('policy name', options.name);
  return instrumentOnce(policy, name, () => {
    const metrics = policyMetrics(resolveRegistry(options.registry));
    const listener = policy.onRetry(({ delay }) =>
      safely('retry backoff metric', () => metrics.backoff.observe({ policy: name }, delay / 1000)),
    );
    const restoreExecute = replaceMethod(
      policy,
      'execute',
      (execute) =>
        async <T>(
          fn: (context: { attempt: number; signal: AbortSignal }) => PromiseLike<T> | T,
          signal?: AbortSignal,
        ) => {
          let attempts = 0;
          const attempt = (context: { attempt: number; signal: AbortSignal }) => {
            attempts++;
            return tracer().startActiveSpan(
              `${name} attempt`,
              { attributes: { 'hopscope.retry.policy': name, 'hopscope.retry.attempt': context.attempt + 1 } },
              async (span) => {
                try {
                  const result = await fn(context);
                  safely('retry attempt metric', () => metrics.attempts.inc({ policy: name, outcome: 'success' }));
                  return result;
                } catch (error) {
                  safely('retry attempt metric', () => metrics.attempts.inc({ policy: name, outcome: 'failure' }));
                  span.recordException(error instanceof Error ? error : new Error(String(error)));
                  span.setStatus({ code: SpanStatusCode.ERROR });
                  throw error;
                } finally {
                  span.end();
                }
              },
            );
          };
          try {
            const result = await execute(attempt, signal);
            safely('retry call metric', () =>
              metrics.calls.inc({ policy: name, result: attempts > 1 ? 'succeeded_after_retry' : 'succeeded' }),
            );
            return result;
          } catch (error) {
            safely('retry call metric', () => metrics.calls.inc({ policy: name, result: 'gave_up' }));
            throw error;
          }
        },
    );
    return () => {
      listener.dispose();
      restoreExecute();
    };
  });
}

/**
 * A cockatiel timeout policy, observable: each timeout is counted and is an event on the active
 * span. Returns the same policy, with `dispose()`; instrumenting it again before that changes nothing.
 */
export function instrumentCockatielTimeout<P extends CockatielTimeout>(
  policy: P,
  options: PolicyTelemetryOptions,
): Instrumented<P> {
  const name = assertBoundedName('policy name', options.name);
  return instrumentOnce(policy, name, () => {
    const metrics = policyMetrics(resolveRegistry(options.registry));
    const listener = policy.onTimeout(() =>
      safely('timeout telemetry', () => {
        metrics.timeouts.inc({ policy: name });
        trace.getActiveSpan()?.addEvent('timeout', { 'hopscope.timeout.policy': name });
      }),
    );
    return () => listener.dispose();
  });
}

/**
 * A cockatiel bulkhead, observable: running and queued calls (read at scrape time) and
 * rejections (counted, and an event on the active span). Call it while the bulkhead is idle:
 * its free slots then are its capacity. Returns the same policy, with `dispose()` (which also
 * takes its gauges off the scrape); instrumenting it again before that changes nothing.
 */
export function instrumentCockatielBulkhead<P extends CockatielBulkhead>(
  policy: P,
  options: PolicyTelemetryOptions,
): Instrumented<P> {
  const name = assertBoundedName('policy name', options.name);
  return instrumentOnce(policy, name, () => {
    const registry = resolveRegistry(options.registry);
    const metrics = policyMetrics(registry);
    const capacity = policy.executionSlots;
    const queueCapacity = policy.queueSlots;
    const stopReading = bulkheadReaders.add(registry, name, () =>
      safely('bulkhead gauges', () => {
        metrics.bulkheadActive.set({ policy: name }, capacity - policy.executionSlots);
        metrics.bulkheadQueued.set({ policy: name }, queueCapacity - policy.queueSlots);
      }),
    );
    metrics.bulkheadActive.set({ policy: name }, 0);
    metrics.bulkheadQueued.set({ policy: name }, 0);
    const listener = policy.onReject(() =>
      safely('bulkhead telemetry', () => {
        metrics.bulkheadRejected.inc({ policy: name });
        trace.getActiveSpan()?.addEvent('bulkhead.rejected', { 'hopscope.bulkhead.policy': name });
      }),
    );
    return () => {
      listener.dispose();
      stopReading();
      metrics.bulkheadActive.remove({ policy: name });
      metrics.bulkheadQueued.remove({ policy: name });
    };
  });
}
