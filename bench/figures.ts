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

/** Microseconds the breaker telemetry adds to a call, from the median calls/s off and on. */
export function breakerAddedMicros(result: BreakerResult): number | undefined {
  const off = medianRate(result.off);
  const on = medianRate(result.on);
  return off !== undefined && on !== undefined ? 1e6 / on - 1e6 / off : undefined;
}
