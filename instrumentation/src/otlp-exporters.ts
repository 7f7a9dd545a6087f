// The one place OTLP exporters are made, for spans (main thread) and log records (the pino
// transport's worker, or a main-thread LoggerProvider), in the protocol the configuration
// names: http/protobuf, http/json or grpc (OTEL_EXPORTER_OTLP_PROTOCOL and per signal).
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter as HttpJsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as HttpProtobufLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as HttpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { OtlpTarget } from './config.ts';

// Bounds the batches in flight while the collector is slow or down, so memory stays bounded:
// past it, batches fail fast and are counted as failed.
const CONCURRENCY_LIMIT = 2;

export function createTraceExporter(target: OtlpTarget): SpanExporter {
  if (target.protocol === 'grpc') {
    return loadedInBackground(async () => {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
      return new OTLPTraceExporter(await grpcOptions(target));
    });
  }
  const Exporter = target.protocol === 'http/json' ? HttpJsonTraceExporter : HttpProtobufTraceExporter;
  return new Exporter(httpOptions(target));
}

export function createLogExporter(target: OtlpTarget): LogRecordExporter {
  if (target.protocol === 'grpc') {
    return loadedInBackground(async () => {
      const { OTLPLogExporter } = await import('@opentelemetry/exporter-logs-otlp-grpc');
      return new OTLPLogExporter(await grpcOptions(target));
    });
  }
  const Exporter = target.protocol === 'http/json' ? HttpJsonLogExporter : HttpProtobufLogExporter;
  return new Exporter(httpOptions(target));
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
  forceFlush(): Promise<void>;
}

/**
 * The gRPC client is some 75 more modules and half a second to load: only a service that asks
 * for grpc pays for it, and not in start(), which is synchronous. An export before the load
 * has finished waits for it; a failed load fails each export, like an unreachable collector.
 */
function loadedInBackground<T>(load: () => Promise<Exporter<T>>): Exporter<T> {
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
      await (await exporter.catch(() => undefined))?.forceFlush();
    },
  };
}
