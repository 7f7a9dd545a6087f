import { type TelemetryConfig, describeTarget, otlpTarget } from './config.ts';

export interface StartupReport {
  config: TelemetryConfig;
  enabled: boolean;
  problems: string[];
  loadedBefore: string[];
  /** Where spans go: a URL and its protocol, 'custom exporter' or 'none'. */
  traces: string;
  instrumented: readonly string[];
}

/**
 * The one self-check line written at startup (JSON, on stderr so it never mixes with the
 * application's own stdout log stream): what is instrumented, where telemetry goes, and
 * what will not work and why.
 */
export function startupLine(report: StartupReport): string {
  const { config, enabled, problems, loadedBefore, traces, instrumented } = report;
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
    instrumented: enabled ? instrumented.filter((name) => !loadedBefore.includes(name)) : [],
    traces: enabled ? traces : 'none',
    logs: enabled ? (config.lokiUrl ?? describeTarget(otlpTarget(config, 'logs'))) : 'none',
    metrics_port: config.metricsPort ?? null,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
  return `${JSON.stringify(line)}\n`;
}
