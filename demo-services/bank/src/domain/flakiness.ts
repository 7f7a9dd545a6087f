// How the "external" bank misbehaves: its own latency (a base plus jitter) and a share of
// failed calls. Deliberately the flakiest dependency of the demo, so that the payments
// service's breaker and fallback have something to do.

export interface Flakiness {
  /** Every call waits this long… */
  latencyMs: number;
  /** …plus up to this much more, uniformly. */
  jitterMs: number;
  /** The share of calls answered 503, 0-1. */
  failureRate: number;
}

export interface CallPlan {
  delayMs: number;
  fail: boolean;
}

export function planCall(flakiness: Flakiness, random: () => number = Math.random): CallPlan {
  return {
    delayMs: flakiness.latencyMs + random() * flakiness.jitterMs,
    fail: random() < flakiness.failureRate,
  };
}
