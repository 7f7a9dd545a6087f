import type { Registry } from 'prom-client';
import { type EventLogger, resolveEventLogger } from '../event-logger.ts';
import { resolveRegistry } from '../metrics/shared-metrics.ts';
import { type BreakerState, BreakerRecorder, type CallOutcome, type FailureRateWindow } from './breaker-recorder.ts';

/** The part of cockatiel's CircuitBreakerPolicy we use (structural, so cockatiel stays optional). */
export interface CockatielBreaker {
  readonly state: number;
  readonly lastFailure?: unknown;
  readonly onStateChange: (listener: (state: number) => void) => unknown;
  execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T>;
}

export interface BreakerTelemetryOptions {
  /** The `breaker` label and span attribute: 1-64 characters of [a-zA-Z0-9_.:-]. */
  name: string;
  /**
   * Where the metrics go.
   * @default the registry `start()` set up, else prom-client's global registry
   */
  registry?: Registry;
  /**
   * Where transitions are logged.
   * @default the package logger
   */
  logger?: EventLogger;
  /**
   * The failure-rate window.
   * @default the breaker's own sampling window when it has one, else 60 s and 10 calls
   */
  window?: FailureRateWindow;
}

// cockatiel's CircuitState: Closed = 0, Open = 1, HalfOpen = 2, Isolated = 3.
const STATES: readonly BreakerState[] = ['closed', 'open', 'half_open', 'isolated'];
const DEFAULT_WINDOW: FailureRateWindow = { durationMs: 60_000, minimumCalls: 10 };

/**
 * Makes a cockatiel circuit breaker observable, in place: state, transitions, calls by outcome,
 * durations, failure rate, span events and transition logs. Returns the same policy.
 */
export function instrumentCockatielBreaker<B extends CockatielBreaker>(policy: B, options: BreakerTelemetryOptions): B {
  const recorder = new BreakerRecorder({
    name: options.name,
    initialState: STATES[policy.state] ?? 'closed',
    registry: resolveRegistry(options.registry),
    logger: resolveEventLogger(options.logger),
    window: options.window ?? samplingWindow(policy) ?? DEFAULT_WINDOW,
  });
  policy.onStateChange((state) =>
    recorder.transition(STATES[state] ?? 'closed', transitionReason(policy, STATES[state])),
  );
  const execute = policy.execute.bind(policy);
  policy.execute = <T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal) =>
    recorder.timeCall(() => execute(fn, signal), classify);
  return policy;
}

function classify(error: unknown): CallOutcome {
  if (typeof error !== 'object' || error === null) return 'failure';
  if ('isBrokenCircuitError' in error || 'isHydratingCircuitError' in error) return 'rejected';
  if ('isTaskCancelledError' in error) return 'timeout';
  return 'failure';
}

function transitionReason(policy: CockatielBreaker, to: BreakerState | undefined): string {
  switch (to) {
    case 'open': {
      const failure = policy.lastFailure as { error?: unknown } | undefined;
      return failure?.error instanceof Error
        ? `failure threshold reached (last: ${failure.error.message})`
        : 'failure threshold reached';
    }
    case 'half_open':
      return 'break duration elapsed; a test call is let through';
    case 'isolated':
      return 'isolated by hand';
    default:
      return 'test call succeeded';
  }
}

/** cockatiel's SamplingBreaker keeps its window in (private) fields; use them when present. */
function samplingWindow(policy: CockatielBreaker): FailureRateWindow | undefined {
  const breaker = (policy as unknown as { options?: { breaker?: { duration?: unknown; minimumRpms?: unknown } } })
    .options?.breaker;
  if (typeof breaker?.duration !== 'number' || typeof breaker.minimumRpms !== 'number') return undefined;
  return { durationMs: breaker.duration, minimumCalls: Math.max(1, Math.ceil(breaker.minimumRpms * breaker.duration)) };
}
