import { resolveEventLogger } from '../event-logger.ts';
import { resolveRegistry } from '../metrics/shared-metrics.ts';
import { type BreakerState, BreakerRecorder, type CallOutcome } from './breaker-recorder.ts';
import type { BreakerTelemetryOptions } from './cockatiel.ts';

/** The part of opossum's CircuitBreaker we use (structural, so opossum stays optional). */
export interface OpossumBreaker {
  readonly opened: boolean;
  readonly halfOpen: boolean;
  readonly volumeThreshold: number;
  on(event: 'open' | 'halfOpen' | 'close', listener: () => void): unknown;
  fire(...args: never[]): Promise<unknown>;
}

/**
 * Makes an opossum circuit breaker observable, in place: state, transitions, calls by outcome,
 * durations, failure rate over opossum's rolling window, span events and transition logs.
 * Returns the same breaker.
 */
export function instrumentOpossumBreaker<B extends OpossumBreaker>(breaker: B, options: BreakerTelemetryOptions): B {
  const rolling = (breaker as unknown as { options?: { rollingCountTimeout?: number } }).options?.rollingCountTimeout;
  const recorder = new BreakerRecorder({
    name: options.name,
    initialState: stateOf(breaker),
    registry: resolveRegistry(options.registry),
    logger: resolveEventLogger(options.logger),
    window: options.window ?? { durationMs: rolling ?? 10_000, minimumCalls: Math.max(1, breaker.volumeThreshold) },
  });
  breaker.on('open', () => recorder.transition('open', 'error threshold percentage reached'));
  breaker.on('halfOpen', () => recorder.transition('half_open', 'reset timeout elapsed; the next call is a test'));
  breaker.on('close', () => recorder.transition('closed', 'test call succeeded'));
  const fire = breaker.fire.bind(breaker);
  breaker.fire = (...args: never[]) => recorder.timeCall(() => fire(...args), classify);
  return breaker;
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
