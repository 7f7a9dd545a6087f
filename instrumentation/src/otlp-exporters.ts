// The one place OTLP exporters are made, for spans (main thread) and log records (the pino
// transport's worker, or a main-thread LoggerProvider), in the protocol the configuration
// names: http/protobuf, http/json or grpc (OTEL_EXPORTER_OTLP_PROTOCOL and per signal).
import { ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type * as LogsGrpc from '@opentelemetry/exporter-logs-otlp-grpc';
import type * as LogsHttp from '@opentelemetry/exporter-logs-otlp-http';
import type * as LogsProto from '@opentelemetry/exporter-logs-otlp-proto';
import type * as TraceGrpc from '@opentelemetry/exporter-trace-otlp-grpc';
import type * as TraceHttp from '@opentelemetry/exporter-trace-otlp-http';
import type { OtlpProtocol, OtlpTarget } from './config.ts';
import { importNow } from './import-now.ts';

// Bounds the batches in flight while the collector is slow or down, so memory stays bounded:
// past it, batches fail fast and are counted as failed.
const CONCURRENCY_LIMIT = 2;

type Made<T> = T | Promise<T>;

// Only the exporter a signal's protocol needs is loaded (the gRPC one alone is some 75 modules
// and half a second), and only when the first batch is exported: see loadedOnFirstUse.
const TRACE_EXPORTERS: Record<OtlpProtocol, (target: OtlpTarget) => Made<SpanExporter>> = {
  // Upstream's exporter with a leaner span serializer: see traces/otlp-proto-trace-exporter.ts.
  'http/protobuf': async (target) =>
    new (await import('./traces/otlp-proto-trace-exporter.ts')).OtlpProtoTraceExporter(otlpHttpOptions(target)),
  'http/json': (target) => {
    const { OTLPTraceExporter } = importNow<typeof TraceHttp>('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter(otlpHttpOptions(target));
  },
  grpc: async (target) => {
    const { OTLPTraceExporter } = importNow<typeof TraceGrpc>('@opentelemetry/exporter-trace-otlp-grpc');
    return new OTLPTraceExporter(await grpcOptions(target));
  },
};
const LOG_EXPORTERS: Record<OtlpProtocol, (target: OtlpTarget) => Made<LogRecordExporter>> = {
  'http/protobuf': (target) => {
    const { OTLPLogExporter } = importNow<typeof LogsProto>('@opentelemetry/exporter-logs-otlp-proto');
    return new OTLPLogExporter(otlpHttpOptions(target));
  },
  'http/json': (target) => {
    const { OTLPLogExporter } = importNow<typeof LogsHttp>('@opentelemetry/exporter-logs-otlp-http');
    return new OTLPLogExporter(otlpHttpOptions(target));
  },
  grpc: async (target) => {
    const { OTLPLogExporter } = importNow<typeof LogsGrpc>('@opentelemetry/exporter-logs-otlp-grpc');
    return new OTLPLogExporter(await grpcOptions(target));
  },
};

/**
 * Whether the trace exporter of `target`'s protocol takes spans encoded as they end
 * (traces/encode-on-end-processor.ts): only ours, whose serializer copies their bytes in.
 */
export function takesEncodedSpans(target: OtlpTarget): boolean {
  return target.protocol === 'http/protobuf';
}

export function createTraceExporter(target: OtlpTarget): SpanExporter {
  return loadedOnFirstUse(() => TRACE_EXPORTERS[target.protocol](target));
}

export function createLogExporter(target: OtlpTarget): LogRecordExporter {
  return loadedOnFirstUse(() => LOG_EXPORTERS[target.protocol](target));
}

/** The options upstream's OTLP/HTTP exporters take, for `target`. */
export function otlpHttpOptions(target: OtlpTarget) {
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
function loadedOnFirstUse<T>(load: () => Made<Exporter<T>>): Required<Exporter<T>> {
  let exporter: Promise<Exporter<T>> | undefined;
  const loaded = () => {
    if (!exporter) {
      // In a promise, so that a module that fails to load fails the export, never the caller.
      exporter = Promise.resolve().then(load);
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
