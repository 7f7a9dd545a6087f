// The main thread's OpenTelemetry LoggerProvider. The winston and bunyan instrumentations emit
// through the global Logs API: without a provider behind it their records go nowhere. The
// console capture emits here too. createLogger()'s lines do not: pino's worker thread exports
// them (otlp-log-transport.ts).
import {
  type Logger,
  type LoggerProvider as ApiLoggerProvider,
  createNoopLogger,
  diag,
  logs,
} from '@opentelemetry/api';
import { logs as legacyLogs } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type * as SdkLogs from '@opentelemetry/sdk-logs';
import { type OtlpTarget, type TelemetryConfig, otlpTarget } from '../config.ts';
import { importNow } from '../import-now.ts';
import { processorOutcomeMeterProvider } from '../metrics/processor-outcomes.ts';
import type { TelemetryMetrics } from '../metrics/telemetry-metrics.ts';
import { createLogExporter } from '../otlp-exporters.ts';
import { onShutdown } from '../telemetry-state.ts';
import { captureConsole } from './console-capture.ts';

/**
 * Registers a provider that batches log records to the OTLP logs endpoint, and captures the
 * console when HOPSCOPE_CAPTURE_CONSOLE=true; does nothing when logs are not exported
 * (OTEL_LOGS_EXPORTER=none). `shutdown()` puts the console back and flushes the provider.
 *
 * The SDK's provider (some 20 modules) is made when the first record is emitted, not when a
 * logger is asked for: every upstream instrumentation asks for one as it is constructed (the
 * express one as express loads, ≈7 ms of startup), and a service that logs only through
 * createLogger() (pino, whose lines the worker ships) never emits here.
 */
export function startLogProvider(config: TelemetryConfig, metrics: TelemetryMetrics): void {
  const target = otlpTarget(config, 'logs');
  if (!target) return;
  let sdkProvider: SdkLogs.LoggerProvider | undefined;
  let failed = false;
  // A provider that cannot be made leaves records unexported, never throws into the logging library.
  const sdkLogger = (name: string, version?: string, options?: object): Logger => {
    if (failed) return createNoopLogger();
    try {
      sdkProvider ??= createProvider(config, metrics, target);
      return sdkProvider.getLogger(name, version, options);
    } catch (error) {
      failed = true;
      diag.error(`hopscope: log records are not exported, the log provider failed: ${String(error)}`);
      return createNoopLogger();
    }
  };
  const logger = (name: string, version?: string, options?: object): Logger => {
    let made: Logger | undefined;
    const real = () => (made ??= sdkLogger(name, version, options));
    return {
      emit: (record) => real().emit(record),
      enabled: (enabledOptions) => real().enabled(enabledOptions),
    };
  };
  const global: ApiLoggerProvider = { getLogger: logger };
  logs.setGlobalLoggerProvider(global);
  // @opentelemetry/winston-transport still emits through the older @opentelemetry/api-logs
  // package, whose global is a separate one.
  legacyLogs.setGlobalLoggerProvider(global);
  if (config.captureConsole) {
    const release = captureConsole(logger('@hopscope/instrumentation/console'));
    onShutdown(() => {
      release();
      return Promise.resolve();
    });
  }
  onShutdown(() => sdkProvider?.shutdown() ?? Promise.resolve());
}

function createProvider(config: TelemetryConfig, metrics: TelemetryMetrics, target: OtlpTarget) {
  const { BatchLogRecordProcessor, LoggerProvider } = importNow<typeof SdkLogs>('@opentelemetry/sdk-logs');
  return new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    processors: [
      new BatchLogRecordProcessor({
        // The exporter bounds the batches in flight; maxQueueSize (OTEL_BLRP_MAX_QUEUE_SIZE)
        // bounds the records waiting while the collector is slow or down: past it they are dropped.
        exporter: createLogExporter(target),
        ...config.logBatch,
        // The same counters as createLogger()'s lines: one drop/failure count per process.
        selfObsMeterProvider: processorOutcomeMeterProvider((outcome, count) => {
          const counter = {
            exported: metrics.logsExported,
            dropped: metrics.logsDropped,
            failed: metrics.logsExportFailed,
          };
          counter[outcome].inc(count);
        }),
      }),
    ],
  });
}
