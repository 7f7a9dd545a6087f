import type { Registry } from 'prom-client';

// Some figures are read when a registry is scraped rather than pushed per call: a breaker's
// failure rate over a moving window, a bulkhead's occupancy, the sagas in flight, the pending
// outbox rows. Their readers all live here, in one map, so that whatever added one can take
// it away again.
const readers = new WeakMap<Registry, Map<ScrapeReaders<unknown>, Map<string, unknown>>>();

/**
 * The readers behind one metric family, per registry and keyed by what they describe (a breaker,
 * a policy, a saga, a table): a reader added again under the same key replaces the earlier one.
 */
export class ScrapeReaders<Reader> {
  /** Adds a reader; the function returned removes it (and leaves a later reader of that key alone). */
  add(registry: Registry, key: string, reader: Reader): () => void {
    let families = readers.get(registry);
    if (!families) readers.set(registry, (families = new Map<ScrapeReaders<unknown>, Map<string, unknown>>()));
    let byKey = families.get(this);
    if (!byKey) families.set(this, (byKey = new Map<string, unknown>()));
    byKey.set(key, reader);
    return () => {
      if (byKey.get(key) === reader) byKey.delete(key);
    };
  }

  /** The readers of this family on a registry, by key. */
  entries(registry: Registry): Array<[key: string, reader: Reader]> {
    return [...((readers.get(registry)?.get(this) as Map<string, Reader> | undefined) ?? [])];
  }
}
