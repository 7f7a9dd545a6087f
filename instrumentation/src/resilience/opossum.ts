import { assertBoundedName } from '../check-name.ts';
import { resolveEventLogger } from '../event-logger.ts';
import { resolveRegistry } from '../metrics/shared-metrics.ts';
import { type BreakerState, BreakerRecorder, type CallOutcome } from './breaker-recorder.ts';
import type { BreakerTelemetryOptions } from './cockatiel.ts';
import { type Instrumented, instrumentOnce, replaceMethod } from './instrumented.ts';

/** The part of opossum's CircuitBreaker we use (structural, so opossum stays optional). */
export interface OpossumBreaker {
  readonly opened: boolean;
  readonly halfOpen: boolean;
  readonly volumeThreshold: number;
  on(event: 'open' | 'halfOpen' | 'close', listener: () => void): unknown;
  removeListener(event: 'open' | 'halfOpen' | 'close', listener: () => void): unknown;
  fire(...args: never[]): Promise<unknown>;
}

/**
 * Makes an opossum circuit breaker observable, in place: state, transitions, calls by outcome,
 * durations, failure rate over opossum's rolling window, span events and transition logs.
 * Returns the same breaker, with `dispose()` to take the instrumentation off; instrumenting it
 * again before that changes nothing.
 */
export function instrumentOpossumBreaker<B extends OpossumBreaker>(
  breaker: B,
  options: BreakerTelemetryOptions,
): Instrumented<B> {
  const name = assertBoundedName('breaker name', options.name);
  return instrumentOnce(breaker, name, () => {
    const rolling = (breaker as unknown as { options?: { rollingCountTimeout?: number } }).options?.rollingCountTimeout;
    const recorder = new BreakerRecorder({
      name,
      initialState: stateOf(breaker),
      registry: resolveRegistry(options.registry),
      logger: resolveEventLogger(options.logger),
      window: options.window ?? { durationMs: rolling ?? 10_000, minimumCalls: Math.max(1, breaker.volumeThreshold) },
    });
    const listeners = {
      open: () => recorder.transition('open', 'error threshold percentage reached'),
      halfOpen: () => recorder.transition('half_open', 'reset timeout elapsed; the next call is a test'),
      close: () => recorder.transition('closed', 'test call succeeded'),
    };
    for (const [event, listener] of Object.entries(listeners)) breaker.on(event as keyof typeof listeners, listener);
    const restoreFire = replaceMethod(breaker, 'fire', (fire) => {
      // Made once, so that a call makes no closure over its arguments (BreakerRecorder.timeCall).
      const fireWith = (args: never[]) => fire(...args);
      return (...args: never[]) => recorder.timeCall(classify, fireWith, args, undefined);
    });
    return () => {
      for (const [event, listener] of Object.entries(listeners))
        breaker.removeListener(event as keyof typeof listeners, listener);
      restoreFire();
      recorder.release();
    };
  });
}

function stateOf(breaker: OpossumBreaker): BreakerState {
  if (breaker.halfOpen) return 'half_open';
  return breaker.opened ? 'open' : 'closed';
}

// opossum marks its own errors with a code: EOPENBREAKER (open), ESEMLOCKED (no capacity),
// ETIMEDOUT (its timeout).
function classify(error: unknown): CallOutcome {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EOPENBREAKER' || code === 'ESEMLOCKED') return 'rejected';
  if (code === 'ETIMEDOUT') return 'timeout';
  return 'failure';
}
