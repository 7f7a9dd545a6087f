import { type Span, diag, trace } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { Counter, Gauge, Histogram } from '../metrics/prom-client-parts.ts';
import type { EventLogger } from '../event-logger.ts';
import * as names from '../metrics/names.ts';
import { ScrapeReaders } from '../metrics/scrape-readers.ts';
import { CounterSeries, HistogramSeries } from '../metrics/series.ts';
import { exemplarOf, perRegistry, supportsExemplars } from '../metrics/shared-metrics.ts';
import { safely } from '../safely.ts';
import { setPrimitiveAttribute } from '../sdk-span-attributes.ts';

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

interface WindowBucket {
  total: number;
  failed: number;
}

interface OutcomeSeries {
  calls: CounterSeries;
  duration: HistogramSeries;
  /** When (performance.now()) each duration bucket, +Inf last, last took an exemplar. */
  exemplarAt: Float64Array;
}

// prom-client keeps one exemplar per bucket, the latest, and a scrape reads just that one: a
// bucket takes a new one at most this often, which spares most calls a Date.now() (≈60 ns in a
// VM) and an object, at the price of an exemplar up to this old.
const EXEMPLAR_INTERVAL_MS = 1000;

/** The span as exemplar for the bucket `seconds` falls in, unless that bucket took one lately. */
function exemplarDue(
  series: OutcomeSeries,
  seconds: number,
  now: number,
  span: Span,
): Record<string, string> | undefined {
  const bounds = names.HTTP_DURATION_BUCKETS;
  let bucket = 0;
  while (bucket < bounds.length && seconds > bounds[bucket]) bucket++;
  if (now - series.exemplarAt[bucket] < EXEMPLAR_INTERVAL_MS) return undefined;
  const exemplar = exemplarOf(span.spanContext());
  if (exemplar) series.exemplarAt[bucket] = now;
  return exemplar;
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
  private readonly buckets = new Map<number, WindowBucket>();
  // The bucket of the second calls are counted in now, kept so that a call does not look it up.
  private currentBucket: WindowBucket | undefined;
  private currentSecond = 0;
  private readonly series: Partial<Record<CallOutcome, OutcomeSeries>> = {};
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
   * Runs one call through the breaker's own execution method, `run(a, b)`, recording its outcome
   * (from `classify` when it throws) and duration; the caller gets exactly what the call gave.
   * The method and its arguments come apart, not as a closure over them: one object less per call.
   */
  async timeCall<A, B, T>(
    classify: (error: unknown) => CallOutcome,
    run: (a: A, b: B) => Promise<T>,
    a: A,
    b: B,
  ): Promise<T> {
    // Looked up once per call: the same span takes the attributes, gives the exemplar and any event.
    const span = trace.getActiveSpan();
    this.markSpan(span);
    const started = performance.now();
    let result: T;
    try {
      result = await run(a, b);
    } catch (error) {
      this.callEnded(classify(error), started, performance.now(), span);
      throw error;
    }
    this.callEnded('success', started, performance.now(), span);
    return result;
  }

  /** Marks the span with the breaker and its state as a call goes through. */
  private markSpan(span: Span | undefined): void {
    if (span === undefined) return;
    // Not safely(): a closure per call is measurable here (bench/breakers.ts), a try is free.
    try {
      // Two attributes one by one rather than setAttributes({...}): no object per call.
      setPrimitiveAttribute(span, ATTR_BREAKER_NAME, this.name);
      setPrimitiveAttribute(span, ATTR_BREAKER_STATE, this.state);
    } catch (error) {
      diag.warn('hopscope: breaker span attributes failed', error);
    }
  }

  /** `started` and `ended` are performance.now() readings. */
  private callEnded(outcome: CallOutcome, started: number, ended: number, span: Span | undefined): void {
    try {
      const series = (this.series[outcome] ??= this.seriesOf(outcome));
      series.calls.inc();
      const seconds = (ended - started) / 1000;
      series.duration.observe(seconds, span && exemplarDue(series, seconds, ended, span));
      if (outcome === 'rejected') {
        span?.addEvent('circuit_breaker.rejected', {
          [ATTR_BREAKER_NAME]: this.name,
          [ATTR_BREAKER_STATE]: this.state,
        });
        return;
      }
      this.countInWindow(outcome !== 'success', ended);
    } catch (error) {
      diag.warn('hopscope: breaker call telemetry failed', error);
    }
  }

  // The label sets of one outcome, resolved once: prom-client's inc()/observe() would check and
  // join the labels again on every call (src/metrics/series.ts).
  private seriesOf(outcome: CallOutcome): OutcomeSeries {
    const labels = { breaker: this.name, outcome };
    return {
      calls: new CounterSeries(this.metrics.calls, labels),
      duration: new HistogramSeries(this.metrics.duration, labels),
      exemplarAt: new Float64Array(names.HTTP_DURATION_BUCKETS.length + 1).fill(-Infinity),
    };
  }

  /**
   * Counts a call in the failure-rate window; only a call in a new second touches the map. The
   * window runs on performance.now(), read anyway for the duration (and immune to clock steps).
   */
  private countInWindow(failed: boolean, now: number): void {
    const second = Math.floor(now / 1000);
    let bucket = this.currentBucket;
    if (bucket === undefined || second !== this.currentSecond) {
      bucket = this.buckets.get(second);
      if (bucket === undefined) this.buckets.set(second, (bucket = { total: 0, failed: 0 }));
      this.currentBucket = bucket;
      this.currentSecond = second;
      this.prune();
    }
    bucket.total++;
    if (failed) bucket.failed++;
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
    const oldestSecond = Math.floor((performance.now() - this.window.durationMs) / 1000);
    for (const second of this.buckets.keys()) if (second < oldestSecond) this.buckets.delete(second);
    if (this.currentBucket !== undefined && this.currentSecond < oldestSecond) this.currentBucket = undefined;
  }

  private setStateGauge(): void {
    for (const state of BREAKER_STATES)
      this.metrics.state.set({ breaker: this.name, state }, state === this.state ? 1 : 0);
  }
}
