import type { Registry } from 'prom-client';
import { Counter, Gauge, Histogram } from '../metrics/prom-client-parts.ts';
import * as names from '../metrics/names.ts';
import { ScrapeReaders } from '../metrics/scrape-readers.ts';
import { perRegistry } from '../metrics/shared-metrics.ts';

// Pending outbox rows are counted by a query at scrape time (true across relays and restarts).
const pendingCounts = new ScrapeReaders<() => Promise<number>>();

export function countPendingOnScrape(registry: Registry, table: string, count: () => Promise<number>): void {
  pendingCounts.add(registry, table, count);
}

/** Outbox, idempotent-consumer and poison-message metrics, one family per registry. */
export const messagingMetrics = perRegistry((registry) => {
  const registers = [registry];
  return {
    outboxPending: new Gauge({
      name: names.OUTBOX_PENDING,
      help: 'Outbox rows written and not yet published.',
      labelNames: ['table'],
      registers,
      async collect() {
        for (const [table, count] of pendingCounts.entries(registry)) {
          // A failed count (database down) keeps the last value rather than failing the scrape.
          await count().then(
            (pending) => this.set({ table }, pending),
            () => undefined,
          );
        }
      },
    }),
    outboxLag: new Histogram({
      name: names.OUTBOX_RELAY_LAG,
      help: 'Time from writing an outbox row to its publication being confirmed by the broker.',
      labelNames: ['table'],
      buckets: names.LONG_DURATION_BUCKETS,
      registers,
    }),
    outboxPublished: new Counter({
      name: names.OUTBOX_PUBLISHED,
      help: 'Outbox rows published and confirmed.',
      labelNames: ['table'],
      registers,
    }),
    outboxFailures: new Counter({
      name: names.OUTBOX_PUBLISH_FAILURES,
      help: 'Relay batches that failed (broker or database unavailable); their rows stay pending.',
      labelNames: ['table'],
      registers,
    }),
    processed: new Counter({
      name: names.IDEMPOTENT_PROCESSED,
      help: 'Messages processed (first delivery).',
      labelNames: ['consumer'],
      registers,
    }),
    duplicates: new Counter({
      name: names.IDEMPOTENT_DUPLICATES,
      help: 'Deliveries skipped as duplicates.',
      labelNames: ['consumer'],
      registers,
    }),
    retried: new Counter({
      name: names.MESSAGING_RETRIED,
      help: 'Failed messages sent back to their queue for another attempt.',
      labelNames: ['messaging_destination_name'],
      registers,
    }),
    deadLettered: new Counter({
      name: names.MESSAGING_DEAD_LETTERED,
      help: 'Messages dead-lettered after their last attempt failed.',
      labelNames: ['messaging_destination_name', 'error_type'],
      registers,
    }),
  };
});
