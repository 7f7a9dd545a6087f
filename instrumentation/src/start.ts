import { DiagConsoleLogger, context, diag, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { diagLogLevelFromString } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import {
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Server } from 'node:http';
import { BaggageSpanAttributesProcessor } from './baggage-span-attributes.ts';
import { type TelemetryConfig, describeTarget, otlpTarget, resolveConfig } from './config.ts';
import { recordHookedModules } from './hooked-modules.ts';
import { HOOKED_MODULES, INSTRUMENTED_MODULES, createInstrumentations } from './instrumentations.ts';
import { startMetricsServer } from './metrics/metrics-server.ts';
import { processorOutcomeMeterProvider } from './metrics/processor-outcomes.ts';
import { createTraceExporter, takesEncodedSpans } from './otlp-exporters.ts';
import { ScrapeSpanFilter } from './metrics/scrape-span-filter.ts';
import { SpanMetricsProcessor } from './metrics/span-metrics-processor.ts';
import { type TelemetryMetrics, createRegistry, createTelemetryMetrics } from './metrics/telemetry-metrics.ts';
import { RandomTraceFlagProcessor } from './random-trace-flag.ts';
import { createSampler } from './sampler.ts';
import { EncodeOnEndProcessor } from './traces/encode-on-end-processor.ts';
import { SafePropagator } from './safe-propagator.ts';
import { librariesLoadedBeforeStart } from './self-check.ts';
import { startLogProvider } from './logs/log-provider.ts';
import { patchedLibraryLine, startupLine } from './startup-line.ts';
import { type Telemetry, activeTelemetry, runShutdownHooks, setActiveTelemetry } from './telemetry-state.ts';
import type { StartOptions } from './types.ts';

const SHUTDOWN_TIMEOUT_MS = 5000;

let tracerProvider: TracerProvider | undefined;
let metricsServer: Server | undefined;
let shuttingDown: Promise<void> | undefined;

/**
 * Starts traces, metrics and log correlation. Idempotent; never throws: a configuration
 * problem is reported on stderr naming the variable, and the application runs with
 * telemetry off.
 */
export function start(options: StartOptions = {}): Telemetry {
  const started = activeTelemetry();
  if (started) return started;
  const { config, problems } = resolveConfig(options);
  const metrics = createMetrics(options, problems);
  const enabled = !config.disabled && problems.length === 0;
  const active: Telemetry = { enabled, config, metrics };
  setActiveTelemetry(active);
  try {
    if (config.diagLogLevel) diag.setLogger(new DiagConsoleLogger(), diagLogLevelFromString(config.diagLogLevel));
    const loadedBefore = librariesLoadedBeforeStart();
    if (enabled) startTracing(config, metrics, options);
    if (enabled) startLogProvider(config, metrics);
    if (config.metricsPort !== undefined) metricsServer = startMetricsServer(metrics.registry, config);
    const traces = options.spanExporter ? 'custom exporter' : describeTarget(otlpTarget(config, 'traces'));
    process.stderr.write(
      startupLine({ config, enabled, problems, loadedBefore, traces, instrumentable: INSTRUMENTED_MODULES }),
    );
  } catch (error) {
    active.enabled = false;
    process.stderr.write(`hopscope: telemetry is off, start failed: ${String(error)}\n`);
  }
  return active;
}

/** A registry that already holds our metric names makes prom-client throw: report it, use a fresh one. */
function createMetrics(options: StartOptions, problems: string[]): TelemetryMetrics {
  try {
    return createTelemetryMetrics(options.registry ?? createRegistry());
  } catch (error) {
    problems.push(`the registry passed to start() cannot take the package's metrics: ${String(error)}`);
    return createTelemetryMetrics(createRegistry());
  }
}

function startTracing(config: TelemetryConfig, metrics: TelemetryMetrics, options: StartOptions): void {
  const processors: SpanProcessor[] = [new ScrapeSpanFilter(), new SpanMetricsProcessor(metrics)];
  if (config.baggageSpanAttributes.length > 0)
    processors.unshift(new BaggageSpanAttributesProcessor(config.baggageSpanAttributes));
  // First, so every processor after it sees the span's final trace flags.
  processors.unshift(new RandomTraceFlagProcessor());
  const target = otlpTarget(config, 'traces');
  const exporter = options.spanExporter ?? (target ? createTraceExporter(target) : undefined);
  if (exporter) {
    const selfObsMeterProvider = processorOutcomeMeterProvider((outcome, count) => {
      const counter = {
        exported: metrics.spansExported,
        dropped: metrics.spansDropped,
        failed: metrics.spansExportFailed,
      };
      counter[outcome].inc(count);
    });
    const batch = new BatchSpanProcessor({ exporter, selfObsMeterProvider, ...config.spanBatch });
    const encoded = !options.spanExporter && target !== undefined && takesEncodedSpans(target);
    processors.push(encoded ? new EncodeOnEndProcessor(batch) : batch);
  }
  const resource = detectResources({ detectors: [envDetector, processDetector, hostDetector] }).merge(
    resourceFromAttributes({ 'service.name': config.serviceName }),
  );
  tracerProvider = new TracerProvider({ resource, sampler: createSampler(config), spanProcessors: processors });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  propagation.setGlobalPropagator(new SafePropagator());
  trace.setGlobalTracerProvider(tracerProvider);
  recordHookedModules(HOOKED_MODULES);
  const provider = tracerProvider;
  createInstrumentations(
    config,
    (patched) => {
      metrics.instrumentedLibraryInfo.set({ library: patched.library, version: patched.version }, 1);
      process.stderr.write(patchedLibraryLine(config, patched));
    },
    (instrumentation) => registerInstrumentations({ tracerProvider: provider, instrumentations: [instrumentation] }),
  );
}

/** Exports the spans that have ended so far, without stopping anything. */
export async function forceFlush(): Promise<void> {
  await tracerProvider?.forceFlush();
}

/** Flushes spans and logs and closes the metrics server. Safe to call more than once. */
export function shutdown(): Promise<void> {
  shuttingDown ??= runShutdown();
  return shuttingDown;
}

async function runShutdown(): Promise<void> {
  const work: Array<Promise<void>> = runShutdownHooks();
  if (tracerProvider) work.push(tracerProvider.shutdown());
  if (metricsServer) work.push(new Promise<void>((resolve) => metricsServer!.close(() => resolve())));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref();
  });
  await Promise.race([Promise.allSettled(work), timeout]);
  clearTimeout(timer);
}
