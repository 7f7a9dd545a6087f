// The medians a stage's rounds come to, the figure both the stage table and the targets use.
import type { BreakerResult } from './breakers.ts';
import type { RatesResult } from './messaging.ts';
import type { StageResult } from './stages.ts';
import { type Spread, median, spread } from './stats.ts';

export interface StageFigures {
  requestsPerSecond: number;
  requestsSpread: Spread;
  p99Ms: number;
  startMs: number;
  rssAfterFixed: number;
  rssAfterSoak: number | undefined;
}

/** Undefined when no round of the stage succeeded. */
export function stageFigures(result: StageResult): StageFigures | undefined {
  const { samples } = result;
  if (samples.length === 0) return undefined;
  const rates = samples.map((sample) => sample.requestsPerSecond);
  return {
    requestsPerSecond: median(rates),
    requestsSpread: spread(rates),
    p99Ms: median(samples.map((sample) => sample.p99Ms)),
    startMs: median(samples.map((sample) => sample.startMs)),
    rssAfterFixed: median(samples.map((sample) => sample.rssAfterFixed)),
    rssAfterSoak: result.rssAfterSoak,
  };
}

/** The median rate, or undefined when every round failed. */
export function medianRate(result: RatesResult): number | undefined {
  return result.rates.length > 0 ? median(result.rates) : undefined;
}

export interface BreakerFigures {
  offMicros: number;
  onMicros: number;
  /** µs the telemetry adds to a call: the median over the rounds of each round's paired figure. */
  addedMicros: number;
  addedSpread: { min: number; max: number };
}

/** Undefined when every round failed. */
export function breakerFigures(result: BreakerResult): BreakerFigures | undefined {
  const { samples } = result;
  if (samples.length === 0) return undefined;
  const added = samples.map((sample) => sample.addedMicros);
  return {
    offMicros: median(samples.map((sample) => sample.offMicros)),
    onMicros: median(samples.map((sample) => sample.onMicros)),
    addedMicros: median(added),
    addedSpread: { min: Math.min(...added), max: Math.max(...added) },
  };
}

/** Microseconds the breaker telemetry adds to a call, or undefined when every round failed. */
export function breakerAddedMicros(result: BreakerResult): number | undefined {
  return breakerFigures(result)?.addedMicros;
}
