import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';
import { Counter } from './prom-client-parts.ts';

// prom-client's collectDefaultMetrics(), from its own files, except its process CPU counters:
// that one file requires @opentelemetry/api's CommonJS build (for exemplars, which we do not
// enable on runtime metrics), 51 modules next to the ESM build the SDK already loaded, ≈40 ms
// of every start. The counters are written here with prom-client's names and help.
const require = createRequire(import.meta.url);

type DefaultMetric = (registry: Registry, config: { eventLoopMonitoringPrecision: number }) => void;

// prom-client 15's list (lib/defaultMetrics.js) in its order, process CPU first (below).
const PROM_CLIENT_METRICS = [
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'eventLoopLag',
  'processResources',
  'processHandles',
  'processRequests',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
  'gc',
];

/** The metrics `collectDefaultMetrics({ register: registry })` adds, the same names and values. */
export function collectRuntimeMetrics(registry: Registry): void {
  collectProcessCpu(registry);
  // prom-client's default, and what collectDefaultMetrics() passes when it is not given.
  const config = { eventLoopMonitoringPrecision: 10 };
  for (const name of PROM_CLIENT_METRICS) {
    (require(`prom-client/lib/metrics/${name}.js`) as DefaultMetric)(registry, config);
  }
}

function collectProcessCpu(registry: Registry): void {
  const registers = [registry];
  let last = process.cpuUsage();
  // As prom-client does: the first counter's collect sets all three.
  new Counter({
    name: 'process_cpu_user_seconds_total',
    help: 'Total user CPU time spent in seconds.',
    registers,
    collect() {
      const now = process.cpuUsage();
      const userMicros = now.user - last.user;
      const systemMicros = now.system - last.system;
      last = now;
      this.inc(userMicros / 1e6);
      system.inc(systemMicros / 1e6);
      total.inc((userMicros + systemMicros) / 1e6);
    },
  });
  const system = new Counter({
    name: 'process_cpu_system_seconds_total',
    help: 'Total system CPU time spent in seconds.',
    registers,
  });
  const total = new Counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    registers,
  });
}
