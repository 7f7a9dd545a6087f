import { trace } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { Counter, Gauge, Histogram } from '../metrics/prom-client-parts.ts';
import type { EventLogger } from '../event-logger.ts';
import * as names from '../metrics/names.ts';
import { ScrapeReaders } from '../metrics/scrape-readers.ts';
import { observeDuration, perRegistry, supportsExemplars } from '../metrics/shared-metrics.ts';
import { safely } from '../safely.ts';

export const BREAKER_STATES = ['closed', 'open', 'half_open', 'isolated'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];
export type CallOutcome = 'success' | 'failure' | 'rejected' | 'timeout';

export const ATTR_BREAKER_NAME = 'hopscope.circuit_breaker.name';
export const ATTR_BREAKER_STATE = 'hopscope.circuit_breaker.state';

export interface FailureRateWindow {
  /** How far back the failure rate looks (ms). */
  durationMs: number;
  /** Calls needed in the window before the rate means anything; -1 is reported until then. */
  minimumCalls: number;
}

// Failure rates, by breaker, read at scrape time (the window moves on its own).
const failureRates = new ScrapeReaders<() => number>();

const breakerMetrics = perRegistry((registry) => {
  const registers = [registry];
  const labelNames = ['breaker'];
  return {
    state: new Gauge({
      name: names.BREAKER_STATE,
      help: 'Breaker state, one-hot: 1 for the current state.',
      labelNames: ['breaker', 'state'],
      registers,
    }),
    lastTransition: new Gauge({
      name: names.BREAKER_LAST_TRANSITION,
      help: 'Unix time of the last state transition (time in state = now - this).',
      labelNames,
      registers,
    }),
    transitions: new Counter({
      name: names.BREAKER_TRANSITIONS,
      help: 'State transitions.',
      labelNames: ['breaker', 'from_state', 'to_state'],
      registers,
    }),
    calls: new Counter({
      name: names.BREAKER_CALLS,
      help: 'Calls through the breaker by outcome.',
      labelNames: ['breaker', 'outcome'],
      registers,
    }),
    duration: new Histogram({
      name: names.BREAKER_CALL_DURATION,
      help: 'Duration of calls through the breaker (rejections included).',
      labelNames: ['breaker', 'outcome'],
      buckets: names.HTTP_DURATION_BUCKETS,
      enableExemplars: supportsExemplars(registry),
      registers,
    }),
    failureRate: new Gauge({
      name: names.BREAKER_FAILURE_RATE,
      help: 'Failed (failure or timeout) share of calls in the breaker window, 0..1; -1 until the window has enough calls.',
      labelNames,
      registers,
      collect() {
        for (const [breaker, failureRate] of failureRates.entries(registry)) this.set({ breaker }, failureRate());
      },
    }),
  };
});

/**
 * Library-agnostic breaker telemetry: the cockatiel and opossum adapters translate their
 * library's events into these calls. Every method is safe: a failure in here is logged and
 * dropped, never thrown into the caller's call.
 */
export class BreakerRecorder {
  readonly name: string;
  private state: BreakerState;
  private readonly metrics: ReturnType<typeof breakerMetrics>;
  private readonly logger: EventLogger;
  private readonly window: FailureRateWindow;
  // Per-second buckets, so that memory stays bounded at any call rate.
  private readonly buckets = new Map<number, { total: number; failed: number }>();
  private readonly stopReadingFailureRate: () => void;

  constructor(options: {
    /** Checked by the caller (a bounded name). */
    name: string;
    initialState: BreakerState;
    registry: Registry;
    logger: EventLogger;
    window: FailureRateWindow;
  }) {
    this.name = options.name;
    this.state = options.initialState;
    this.metrics = breakerMetrics(options.registry);
    this.logger = options.logger;
    this.window = options.window;
    this.stopReadingFailureRate = failureRates.add(options.registry, this.name, () => this.failureRate());
    this.setStateGauge();
    this.metrics.lastTransition.set({ breaker: this.name }, Date.now() / 1000);
    this.metrics.failureRate.set({ breaker: this.name }, -1);
  }

  transition(to: BreakerState, reason: string): void {
    safely('breaker transition telemetry', () => {
      const from = this.state;
      if (from === to) return;
      this.state = to;
      this.setStateGauge();
      this.metrics.transitions.inc({ breaker: this.name, from_state: from, to_state: to });
      this.metrics.lastTransition.set({ breaker: this.name }, Date.now() / 1000);
      trace.getActiveSpan()?.addEvent('circuit_breaker.transition', {
        [ATTR_BREAKER_NAME]: this.name,
        'hopscope.circuit_breaker.from_state': from,
        'hopscope.circuit_breaker.to_state': to,
        'hopscope.circuit_breaker.reason': reason,
      });
      const fields = { breaker: this.name, from_state: from, to_state: to, reason };
      if (to === 'closed') this.logger.info(fields, 'circuit breaker transition');
      else this.logger.warn(fields, 'circuit breaker transition');
    });
  }

  /**
   * Runs one call through the breaker's own execution method, recording its outcome (from
   * `classify` when it throws) and duration; the caller gets exactly what the call gave.
   */
  async timeCall<T>(run: () => Promise<T>, classify: (error: unknown) => CallOutcome): Promise<T> {
    this.callStarted();
    const started = performance.now();
    try {
      const result = await run();
      this.callEnded('success', (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      this.callEnded(classify(error), (performance.now() - started) / 1000);
      throw error;
    }
  }

  /** Marks the active span with the breaker and its state as a call goes through. */
  private callStarted(): void {
    safely('breaker span attributes', () => {
      trace.getActiveSpan()?.setAttributes({ [ATTR_BREAKER_NAME]: this.name, [ATTR_BREAKER_STATE]: this.state });
    });
  }

  private callEnded(outcome: CallOutcome, seconds: number): void {
    safely('breaker call telemetry', () => {
      this.metrics.calls.inc({ breaker: this.name, outcome });
      observeDuration(this.metrics.duration, { breaker: this.name, outcome }, seconds);
      if (outcome === 'rejected') {
        trace
          .getActiveSpan()
          ?.addEvent('circuit_breaker.rejected', { [ATTR_BREAKER_NAME]: this.name, [ATTR_BREAKER_STATE]: this.state });
        return;
      }
      const second = Math.floor(Date.now() / 1000);
      const bucket = this.buckets.get(second) ?? { total: 0, failed: 0 };
      bucket.total++;
      if (outcome !== 'success') bucket.failed++;
      this.buckets.set(second, bucket);
      this.prune();
    });
  }

  /**
   * Takes the breaker's gauges off the scrape: its state, last transition and failure rate describe
   * a breaker no longer observed. Its counters and histograms keep their totals, which a breaker
   * instrumented again under the same name continues.
   */
  release(): void {
    this.stopReadingFailureRate();
    const breaker = { breaker: this.name };
    for (const state of BREAKER_STATES) this.metrics.state.remove({ ...breaker, state });
    this.metrics.lastTransition.remove(breaker);
    this.metrics.failureRate.remove(breaker);
  }

  private failureRate(): number {
    this.prune();
    let total = 0;
    let failed = 0;
    for (const bucket of this.buckets.values()) {
      total += bucket.total;
      failed += bucket.failed;
    }
    return total === 0 || total < this.window.minimumCalls ? -1 : failed / total;
  }

  private prune(): void {
    const oldestSecond = Math.floor((Date.now() - this.window.durationMs) / 1000);
    for (const second of this.buckets.keys()) if (second < oldestSecond) this.buckets.delete(second);
  }

  private setStateGauge(): void {
    for (const state of BREAKER_STATES)
      this.metrics.state.set({ breaker: this.name, state }, state === this.state ? 1 : 0);
  }
}
