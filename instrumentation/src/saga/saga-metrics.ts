import type { Registry } from 'prom-client';
import { Counter, Gauge, Histogram } from '../metrics/prom-client-parts.ts';
import * as names from '../metrics/names.ts';
import { ScrapeReaders } from '../metrics/scrape-readers.ts';
import { perRegistry, supportsExemplars } from '../metrics/shared-metrics.ts';
import { diag } from '@opentelemetry/api';

/** What a user's callback reports about the sagas of one name still in flight, across processes. */
export interface InFlightSagas {
  count: number;
  /** When the oldest one started (undefined when none is in flight). */
  oldestStartedAt: Date | undefined;
}
export type InFlightReader = () => Promise<InFlightSagas> | InFlightSagas;

// In-flight figures are read at scrape time: from the user's callback (a database query, true
// across processes and restarts) when one is given for the saga, else from this process.
const inFlightReaders = new ScrapeReaders<InFlightReader>();

export function readInFlightOnScrape(registry: Registry, saga: string, reader: InFlightReader): void {
  inFlightReaders.add(registry, saga, reader);
}

export const sagaMetrics = perRegistry((registry) => {
  const registers = [registry];
  // Both gauges are collected concurrently on a scrape; they share one read of the callbacks.
  let pending: Promise<Map<string, InFlightSagas>> | undefined;
  const readAll = () =>
    (pending ??= readEach(inFlightReaders.entries(registry)).finally(() => {
      pending = undefined;
    }));
  const inFlight = new Gauge({
    name: names.SAGA_IN_FLIGHT,
    help: 'Sagas started and not yet ended.',
    labelNames: ['saga'],
    registers,
    async collect() {
      for (const [saga, read] of await readAll()) this.set({ saga }, read.count);
    },
  });
  const oldestAge = new Gauge({
    name: names.SAGA_OLDEST_IN_FLIGHT_AGE,
    help: 'Age of the oldest saga in flight (0 when none): a stuck saga makes it grow.',
    labelNames: ['saga'],
    registers,
    async collect() {
      for (const [saga, { oldestStartedAt }] of await readAll()) {
        this.set({ saga }, oldestStartedAt ? Math.max(0, (Date.now() - oldestStartedAt.getTime()) / 1000) : 0);
      }
    },
  });
  return {
    started: new Counter({ name: names.SAGA_STARTED, help: 'Sagas started.', labelNames: ['saga'], registers }),
    ended: new Counter({
      name: names.SAGA_ENDED,
      help: 'Sagas ended, by outcome.',
      labelNames: ['saga', 'outcome'],
      registers,
    }),
    duration: new Histogram({
      name: names.SAGA_DURATION,
      help: 'Saga duration from start to end.',
      labelNames: ['saga', 'outcome'],
      buckets: names.LONG_DURATION_BUCKETS,
      enableExemplars: supportsExemplars(registry),
      registers,
    }),
    stepDuration: new Histogram({
      name: names.SAGA_STEP_DURATION,
      help: 'Duration of saga steps by phase (execute, compensate) and outcome.',
      labelNames: ['saga', 'step', 'phase', 'outcome'],
      buckets: names.LONG_DURATION_BUCKETS,
      enableExemplars: supportsExemplars(registry),
      registers,
    }),
    inFlight,
    oldestAge,
  };
});

async function readEach(readers: Array<[string, InFlightReader]>): Promise<Map<string, InFlightSagas>> {
  const results = new Map<string, InFlightSagas>();
  for (const [saga, read] of readers) {
    try {
      results.set(saga, await read());
    } catch (error) {
      // A failing query must not fail the whole scrape; the gauges keep their last value.
      diag.warn(`hopscope: in-flight reader of saga ${saga} failed`, error);
    }
  }
  return results;
}
