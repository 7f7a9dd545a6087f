import { Counter, Gauge, Histogram } from '../metrics/prom-client-parts.ts';
import * as names from '../metrics/names.ts';
import { ScrapeReaders } from '../metrics/scrape-readers.ts';
import { perRegistry } from '../metrics/shared-metrics.ts';

/**
 * Bulkhead occupancy changes on every call: it is read when scraped rather than pushed per call,
 * by a function per bulkhead that sets its gauges.
 */
export const bulkheadReaders = new ScrapeReaders<() => void>();

/** Retry, timeout and bulkhead metrics, one family per registry, told apart by `policy`. */
export const policyMetrics = perRegistry((registry) => {
  const registers = [registry];
  return {
    attempts: new Counter({
      name: names.RETRY_ATTEMPTS,
      help: 'Attempts made under a retry policy, by outcome.',
      labelNames: ['policy', 'outcome'],
      registers,
    }),
    calls: new Counter({
      name: names.RETRY_CALLS,
      help: 'Calls through a retry policy by result: succeeded (first try), succeeded_after_retry, gave_up.',
      labelNames: ['policy', 'result'],
      registers,
    }),
    backoff: new Histogram({
      name: names.RETRY_BACKOFF,
      help: 'Backoff delay chosen before a retry.',
      labelNames: ['policy'],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    timeouts: new Counter({
      name: names.TIMEOUTS,
      help: 'Calls a timeout policy cancelled.',
      labelNames: ['policy'],
      registers,
    }),
    bulkheadActive: new Gauge({
      name: names.BULKHEAD_ACTIVE,
      help: 'Calls running in the bulkhead.',
      labelNames: ['policy'],
      registers,
      collect() {
        for (const [, read] of bulkheadReaders.entries(registry)) read();
      },
    }),
    bulkheadQueued: new Gauge({
      name: names.BULKHEAD_QUEUED,
      help: 'Calls waiting for a bulkhead slot.',
      labelNames: ['policy'],
      registers,
    }),
    bulkheadRejected: new Counter({
      name: names.BULKHEAD_REJECTED,
      help: 'Calls the bulkhead rejected (full, queue full).',
      labelNames: ['policy'],
      registers,
    }),
  };
});
