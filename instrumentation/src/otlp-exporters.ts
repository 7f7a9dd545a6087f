// The one place OTLP exporters are made, for spans (main thread) and log records (the pino
// transport's worker, or a main-thread LoggerProvider), in the protocol the configuration
// names: http/protobuf, http/json or grpc (OTEL_EXPORTER_OTLP_PROTOCOL and per signal).
import { ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { OtlpProtocol, OtlpTarget } from './config.ts';

// Bounds the batches in flight while the collector is slow or down, so memory stays bounded:
// past it, batches fail fast and are counted as failed.
const CONCURRENCY_LIMIT = 2;

// Only the exporter a signal's protocol needs is loaded (the gRPC one alone is some 75 modules
// and half a second), and only when the first batch is exported: see loadedOnFirstUse.
const TRACE_EXPORTERS: Record<OtlpProtocol, (target: OtlpTarget) => Promise<SpanExporter>> = {
  // Upstream's exporter with a leaner span serializer: see traces/otlp-proto-trace-exporter.ts.
  'http/protobuf': async (target) =>
    new (await import('./traces/otlp-proto-trace-exporter.ts')).OtlpProtoTraceExporter(httpOptions(target)),
  'http/json': async (target) =>
    new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter(httpOptions(target)),
  grpc: async (target) =>
    new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter(await grpcOptions(target)),
};
const LOG_EXPORTERS: Record<OtlpProtocol, (target: OtlpTarget) => Promise<LogRecordExporter>> = {
  'http/protobuf': async (target) =>
    new (await import('@opentelemetry/exporter-logs-otlp-proto')).OTLPLogExporter(httpOptions(target)),
  'http/json': async (target) =>
    new (await import('@opentelemetry/exporter-logs-otlp-http')).OTLPLogExporter(httpOptions(target)),
  grpc: async (target) =>
    new (await import('@opentelemetry/exporter-logs-otlp-grpc')).OTLPLogExporter(await grpcOptions(target)),
};

export function createTraceExporter(target: OtlpTarget): SpanExporter {
  return loadedOnFirstUse(() => TRACE_EXPORTERS[target.protocol](target));
}

export function createLogExporter(target: OtlpTarget): LogRecordExporter {
  return loadedOnFirstUse(() => LOG_EXPORTERS[target.protocol](target));
}

function httpOptions(target: OtlpTarget) {
  return {
    url: target.url,
    headers: target.headers,
    concurrencyLimit: CONCURRENCY_LIMIT,
    timeoutMillis: target.timeoutMillis,
  };
}

async function grpcOptions(target: OtlpTarget) {
  const { Metadata } = await import('@grpc/grpc-js');
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(target.headers)) metadata.set(key, value);
  return { url: target.url, metadata, concurrencyLimit: CONCURRENCY_LIMIT, timeoutMillis: target.timeoutMillis };
}

interface Exporter<T> {
  export(items: T[], done: (result: { code: ExportResultCode; error?: Error }) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/**
 * An exporter whose module loads when the first batch is exported, not at start: with the
 * synchronous loader hooks (loader-hook.ts) an import() resolves and reads its whole module
 * graph (some 230 modules for http/protobuf, with otlp-transformer and sdk-metrics) before it
 * returns, so even a "background" import at start delays the application's first response.
 * A failed load fails each export, like an unreachable collector.
 */
function loadedOnFirstUse<T>(load: () => Promise<Exporter<T>>): Required<Exporter<T>> {
  let exporter: Promise<Exporter<T>> | undefined;
  const loaded = () => {
    if (!exporter) {
      exporter = load();
      exporter.catch(() => undefined); // reported by each export
    }
    return exporter;
  };
  return {
    export(items, done) {
      loaded().then(
        (ready) => ready.export(items, done),
        (error: unknown) => done({ code: ExportResultCode.FAILED, error: error as Error }),
      );
    },
    // Nothing was exported: nothing to load, flush or shut down.
    async shutdown() {
      await (await exporter?.catch(() => undefined))?.shutdown();
    },
    async forceFlush() {
      await (await exporter?.catch(() => undefined))?.forceFlush?.();
    },
  };
}
