import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

// The metric classes and the registry, required from prom-client's own files rather than its
// index. The index also loads the pushgateway, the cluster aggregator, Summary and all the
// default metrics, and one of those (processCpuTotal) requires @opentelemetry/api's CommonJS
// build next to the ESM build our code uses: 80 modules that the light subpaths
// (/resilience, /saga, /messaging) never use. These are the very files the index requires
// (prom-client 15 has no "exports" map, and require caches by file), so a user's
// `new Registry()` or `register` from 'prom-client' is the registry our metrics register on.
const require = createRequire(import.meta.url);

const registryFile = require('prom-client/lib/registry.js') as typeof PromClient.Registry & {
  globalRegistry: PromClient.Registry;
};
export const Registry: typeof PromClient.Registry = registryFile;
export type Registry = PromClient.Registry;
/** prom-client's global registry (its index exports it as `register`). */
export const register = registryFile.globalRegistry;
export const Counter = require('prom-client/lib/counter.js') as typeof PromClient.Counter;
export type Counter<T extends string = string> = PromClient.Counter<T>;
export const Gauge = require('prom-client/lib/gauge.js') as typeof PromClient.Gauge;
export type Gauge<T extends string = string> = PromClient.Gauge<T>;
export const Histogram = require('prom-client/lib/histogram.js') as typeof PromClient.Histogram;
export type Histogram<T extends string = string> = PromClient.Histogram<T>;
