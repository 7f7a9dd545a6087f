// The gauge a service sets when one of its fault knobs is turned on or off. Every known fault
// is set (to 0 when off) so a dashboard sees the series exist before the first fault, and an
// annotation query can tell "off" from "never scraped".
import type { Registry } from 'prom-client';
import { assertBoundedName } from '../check-name.ts';
import * as names from './names.ts';
import { Gauge } from './prom-client-parts.ts';
import { perRegistry, resolveRegistry } from './shared-metrics.ts';

const chaosGauge = perRegistry(
  (registry) =>
    new Gauge({
      name: names.CHAOS_FAULT_ACTIVE,
      help: 'Whether a chaos fault knob is on in this service (1) or off (0).',
      labelNames: ['fault'],
      registers: [registry],
    }),
);

/**
 * Records that `fault` is on or off, on the registry `start()` set up (or the one given).
 * The fault name becomes a label value, so it must be a bounded name (a knob, never an id).
 */
export function setChaosFaultActive(fault: string, active: boolean, registry?: Registry): void {
  chaosGauge(resolveRegistry(registry)).set({ fault: assertBoundedName('chaos fault', fault) }, active ? 1 : 0);
}
