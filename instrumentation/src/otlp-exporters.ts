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
// and half a second), and not during start(), which is synchronous: see loadedInBackground.
const TRACE_EXPORTERS: Record<OtlpProtocol, (target: OtlpTarget) => Promise<SpanExporter>> = {
  'http/protobuf': async (target) =>
    new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter(httpOptions(target)),
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
  return loadedInBackground(() => TRACE_EXPORTERS[target.protocol](target));
}

export function createLogExporter(target: OtlpTarget): LogRecordExporter {
  return loadedInBackground(() => LOG_EXPORTERS[target.protocol](target));
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
 * An exporter whose module loads in the background: an export before the load has finished
 * waits for it; a failed load fails each export, like an unreachable collector.
 */
function loadedInBackground<T>(load: () => Promise<Exporter<T>>): Required<Exporter<T>> {
  const exporter = load();
  exporter.catch(() => undefined); // reported by each export
  return {
    export(items, done) {
      exporter.then(
        (loaded) => loaded.export(items, done),
        (error: unknown) => done({ code: ExportResultCode.FAILED, error: error as Error }),
      );
    },
    async shutdown() {
      await (await exporter.catch(() => undefined))?.shutdown();
    },
    async forceFlush() {
      await (await exporter.catch(() => undefined))?.forceFlush?.();
    },
  };
}
