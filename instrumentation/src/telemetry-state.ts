// The process-wide state `start()` sets up, in a module that imports nothing at runtime: the
// helpers (breakers, sagas, outbox, loggers) read it, and importing them must not load the
// tracing SDK that start.ts brings.
import type { TelemetryConfig } from './config.ts';
import type { TelemetryMetrics } from './metrics/telemetry-metrics.ts';

/** What `start()` set up; `enabled` is false when telemetry is off (disabled or misconfigured). */
export interface Telemetry {
  enabled: boolean;
  config: TelemetryConfig;
  metrics: TelemetryMetrics;
}

let active: Telemetry | undefined;
const shutdownHooks: Array<() => Promise<void>> = [];

/** The telemetry `start()` set up, if it ran. */
export function activeTelemetry(): Telemetry | undefined {
  return active;
}

/** Called once, by `start()`. */
export function setActiveTelemetry(telemetry: Telemetry): void {
  active = telemetry;
}

/** Work to finish on `shutdown()` (loggers register their flush here). */
export function onShutdown(hook: () => Promise<void>): void {
  shutdownHooks.push(hook);
}

/** Starts every registered shutdown hook. */
export function runShutdownHooks(): Array<Promise<void>> {
  return shutdownHooks.map((hook) => hook());
}
