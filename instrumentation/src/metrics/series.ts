import { createRequire } from 'node:module';
import type { Counter, Histogram } from 'prom-client';

// The RED metrics observe on every request, and prom-client's observe() does per call what a
// series needs once: it checks each label name, joins the label set into its series key, and
// looks buckets up by their bound turned into a string (≈0.5–1 µs with the exemplar,
// bench/span-end.ts). A Series does that once per distinct label set and then adds to the
// series prom-client holds, in prom-client's own structures (15.x: `hashMap` by the key
// `hashObject` makes, `bucketValues`/`bucketExemplars` by bound, `-1` for +Inf). Anything
// else (a series not there yet or reset, a value that is not finite) goes through the public
// observe()/inc(), which create, validate and throw as they always do.
const require = createRequire(import.meta.url);
const { hashObject } = require('prom-client/lib/util.js') as {
  hashObject: (labels: Record<string, string>, sortedLabelNames: readonly string[]) => string;
};

interface HistogramSeriesValues {
  sum: number;
  count: number;
  bucketValues: Record<string, number>;
  bucketExemplars?: Record<string, { labelSet: unknown; value: number; timestamp: number } | null>;
}

interface Internals<Entry> {
  hashMap: Record<string, Entry | undefined>;
  sortedLabelNames: readonly string[];
  upperBounds: readonly number[];
  enableExemplars?: boolean;
  updateExemplar(labels: Record<string, string>, value: number, exemplarLabels: Record<string, string>): void;
}

const INF_BUCKET = '-1';

/** One label set of a histogram, observed without prom-client re-deriving it each time. */
export class HistogramSeries {
  readonly labels: Record<string, string>;
  private readonly histogram: Histogram<string>;
  private readonly internals: Internals<HistogramSeriesValues>;
  private readonly key: string;
  private readonly bounds: readonly number[];
  private readonly boundKeys: readonly string[];

  constructor(histogram: Histogram<string>, labels: Record<string, string>) {
    this.histogram = histogram;
    this.labels = labels;
    this.internals = histogram as unknown as Internals<HistogramSeriesValues>;
    this.key = hashObject(labels, this.internals.sortedLabelNames);
    this.bounds = this.internals.upperBounds;
    this.boundKeys = this.bounds.map(String);
  }

  /** Observes `seconds`, with `exemplar` (a sampled span's ids) as the bucket's exemplar. */
  observe(seconds: number, exemplar: Record<string, string> | undefined): void {
    const series = this.internals.hashMap[this.key];
    if (series === undefined || !Number.isFinite(seconds)) return this.observeSlowly(seconds, exemplar);
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > this.bounds[bucket]) bucket++;
    const boundKey = bucket < this.bounds.length ? this.boundKeys[bucket] : INF_BUCKET;
    series.sum += seconds;
    series.count += 1;
    if (bucket < this.bounds.length) series.bucketValues[boundKey] += 1;
    if (exemplar === undefined || !series.bucketExemplars) return;
    const held = series.bucketExemplars[boundKey];
    if (!held) return this.internals.updateExemplar(this.labels, seconds, exemplar);
    held.labelSet = exemplar;
    held.value = seconds;
    held.timestamp = Date.now() / 1000;
  }

  private observeSlowly(seconds: number, exemplar: Record<string, string> | undefined): void {
    if (this.internals.enableExemplars) {
      this.histogram.observe({
        labels: this.labels,
        value: seconds,
        ...(exemplar ? { exemplarLabels: exemplar } : {}),
      });
    } else {
      this.histogram.observe(this.labels, seconds);
    }
  }
}

/** One label set of a counter without exemplars, incremented by one. */
export class CounterSeries {
  readonly labels: Record<string, string>;
  private readonly counter: Counter<string>;
  private readonly internals: Internals<{ value: number }>;
  private readonly key: string;

  constructor(counter: Counter<string>, labels: Record<string, string>) {
    this.counter = counter;
    this.labels = labels;
    this.internals = counter as unknown as Internals<{ value: number }>;
    this.key = hashObject(labels, this.internals.sortedLabelNames);
  }

  inc(): void {
    const series = this.internals.hashMap[this.key];
    if (series === undefined || this.internals.enableExemplars) this.counter.inc(this.labels);
    else series.value += 1;
  }
}
