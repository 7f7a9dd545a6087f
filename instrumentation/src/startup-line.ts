import { type TelemetryConfig, describeTarget, otlpTarget } from './config.ts';
import type { PatchedLibrary } from './patched-libraries.ts';

export interface StartupReport {
  config: TelemetryConfig;
  enabled: boolean;
  problems: string[];
  loadedBefore: string[];
  /** Where spans go: a URL and its protocol, 'custom exporter' or 'none'. */
  traces: string;
  /** The libraries instrumented when the process loads them. */
  instrumentable: readonly string[];
}

/**
 * The one self-check line written at startup (JSON, on stderr so it never mixes with the
 * application's own stdout log stream): what will be instrumented when loaded, where telemetry
 * goes, and what will not work and why. What actually is instrumented comes later, one
 * patchedLibraryLine() per library as the process loads it.
 */
export function startupLine(report: StartupReport): string {
  const { config, enabled, problems, loadedBefore, traces, instrumentable } = report;
  const warnings = [...problems];
  if (loadedBefore.length > 0) {
    warnings.push(
      `loaded before hopscope, so not instrumented: ${loadedBefore.join(', ')}; start with node --import @hopscope/instrumentation/register`,
    );
  }
  const line = {
    level: warnings.length > 0 ? 'warn' : 'info',
    time: Date.now(),
    service_name: config.serviceName,
    msg: enabled ? 'hopscope telemetry started' : 'hopscope telemetry is off',
    instruments_when_loaded: enabled ? instrumentable.filter((name) => !loadedBefore.includes(name)) : [],
    traces: enabled ? traces : 'none',
    logs: enabled ? (config.lokiUrl ?? describeTarget(otlpTarget(config, 'logs'))) : 'none',
    metrics_port: config.metricsPort ?? null,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
  return `${JSON.stringify(line)}\n`;
}

/** The line written (stderr, JSON, like the startup line) when a library is instrumented. */
export function patchedLibraryLine(config: TelemetryConfig, patched: PatchedLibrary): string {
  const line = {
    level: 'info',
    time: Date.now(),
    service_name: config.serviceName,
    msg: 'hopscope instrumented a library',
    library: patched.library,
    version: patched.version,
  };
  return `${JSON.stringify(line)}\n`;
}
