import type { Registry } from 'prom-client';
import { type EventLogger, resolveEventLogger } from '../event-logger.ts';
import { assertBoundedName } from '../check-name.ts';
import { resolveRegistry } from '../metrics/shared-metrics.ts';
import {
  BREAKER_STATES,
  type BreakerState,
  BreakerRecorder,
  type CallOutcome,
  type FailureRateWindow,
} from './breaker-recorder.ts';
import { type Instrumented, instrumentOnce, replaceMethod } from './instrumented.ts';

/** The part of cockatiel's CircuitBreakerPolicy we use (structural, so cockatiel stays optional). */
export interface CockatielBreaker {
  readonly state: number;
  readonly lastFailure?: unknown;
  readonly onStateChange: (listener: (state: number) => void) => { dispose(): void };
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

const DEFAULT_WINDOW: FailureRateWindow = { durationMs: 60_000, minimumCalls: 10 };

/**
 * Makes a cockatiel circuit breaker observable, in place: state, transitions, calls by outcome,
 * durations, failure rate, span events and transition logs. Returns the same policy, with
 * `dispose()` to take the instrumentation off; instrumenting it again before that changes nothing.
 */
export function instrumentCockatielBreaker<B extends CockatielBreaker>(
  policy: B,
  options: BreakerTelemetryOptions,
): Instrumented<B> {
  const name = assertBoundedName('breaker name', options.name);
  return instrumentOnce(policy, name, () => {
    // cockatiel's CircuitState indexes BREAKER_STATES: Closed = 0, Open = 1, HalfOpen = 2, Isolated = 3.
    const recorder = new BreakerRecorder({
      name,
      initialState: BREAKER_STATES[policy.state] ?? 'closed',
      registry: resolveRegistry(options.registry),
      logger: resolveEventLogger(options.logger),
      window: options.window ?? samplingWindow(policy) ?? DEFAULT_WINDOW,
    });
    const listener = policy.onStateChange((state) =>
      recorder.transition(BREAKER_STATES[state] ?? 'closed', transitionReason(policy, BREAKER_STATES[state])),
    );
    const restoreExecute = replaceMethod(
      policy,
      'execute',
      (execute) =>
        <T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal) =>
          recorder.timeCall<typeof fn, AbortSignal | undefined, T>(classify, execute, fn, signal),
    );
    return () => {
      listener.dispose();
      restoreExecute();
      recorder.release();
    };
  });
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
