import type { OpenMetricsContentType } from 'prom-client';
import * as names from './names.ts';
import { Counter, Gauge, Histogram, Registry } from './prom-client-parts.ts';
import { collectRuntimeMetrics } from './runtime-metrics.ts';
import { supportsExemplars } from './shared-metrics.ts';

/** The prom-client metrics the package records, all on one registry that the caller owns. */
export interface TelemetryMetrics {
  registry: Registry;
  httpServerDuration: Histogram<string>;
  httpClientDuration: Histogram<string>;
  messagesSent: Counter<string>;
  messagesConsumed: Counter<string>;
  messageProcessDuration: Histogram<string>;
  messagesRedelivered: Counter<string>;
  /** 1 for each library patched in this process, labelled `library` and `version`. */
  instrumentedLibraryInfo: Gauge<string>;
  spansExported: Counter;
  spansDropped: Counter;
  spansExportFailed: Counter;
  logsExported: Counter;
  logsDropped: Counter;
  logsExportFailed: Counter;
}

const HTTP_SERVER_LABELS = ['http_request_method', 'http_route', 'http_response_status_code', 'error_type'];
const HTTP_CLIENT_LABELS = [
  'http_request_method',
  'server_address',
  'server_port',
  'http_response_status_code',
  'error_type',
];
const MESSAGING_LABELS = ['messaging_system', 'messaging_destination_name', 'messaging_operation_name', 'error_type'];

/** A registry in OpenMetrics format (the only text format that carries exemplars). */
export function createRegistry(): Registry {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  // Typed as the default Registry so that it is accepted wherever prom-client takes one.
  return registry as unknown as Registry;
}

export function createTelemetryMetrics(
  registry: Registry,
  options: { runtimeMetrics?: boolean } = {},
): TelemetryMetrics {
  const registers = [registry];
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers });
  const histogram = (name: string, help: string, labelNames: string[], buckets?: number[]) =>
    new Histogram({
      name,
      help,
      labelNames,
      registers,
      enableExemplars: supportsExemplars(registry),
      ...(buckets ? { buckets } : {}),
    });

  if (options.runtimeMetrics ?? true) collectRuntimeMetrics(registry);
  return {
    registry,
    httpServerDuration: histogram(
      names.HTTP_SERVER_REQUEST_DURATION,
      'Duration of HTTP server requests.',
      HTTP_SERVER_LABELS,
      names.HTTP_DURATION_BUCKETS,
    ),
    httpClientDuration: histogram(
      names.HTTP_CLIENT_REQUEST_DURATION,
      'Duration of HTTP client requests.',
      HTTP_CLIENT_LABELS,
      names.HTTP_DURATION_BUCKETS,
    ),
    messagesSent: counter(
      names.MESSAGING_CLIENT_SENT_MESSAGES,
      'Messages a producer attempted to send.',
      MESSAGING_LABELS,
    ),
    messagesConsumed: counter(
      names.MESSAGING_CLIENT_CONSUMED_MESSAGES,
      'Messages delivered to a consumer.',
      MESSAGING_LABELS,
    ),
    messageProcessDuration: histogram(
      names.MESSAGING_PROCESS_DURATION,
      'Duration of processing one consumed message.',
      MESSAGING_LABELS,
      names.HTTP_DURATION_BUCKETS,
    ),
    messagesRedelivered: counter(
      names.MESSAGING_REDELIVERED_MESSAGES,
      'Consumed messages the broker flagged as redelivered.',
      ['messaging_system', 'messaging_destination_name'],
    ),
    instrumentedLibraryInfo: new Gauge({
      name: names.INSTRUMENTED_LIBRARY_INFO,
      help: 'A library the package has instrumented in this process (1), with its version.',
      labelNames: ['library', 'version'],
      registers,
    }),
    spansExported: counter(names.TELEMETRY_SPANS_EXPORTED, 'Spans accepted by the trace exporter endpoint.'),
    spansDropped: counter(names.TELEMETRY_SPANS_DROPPED, 'Spans dropped because the export queue was full.'),
    spansExportFailed: counter(names.TELEMETRY_SPANS_EXPORT_FAILED, 'Spans in export batches that failed.'),
    logsExported: counter(names.TELEMETRY_LOGS_EXPORTED, 'Log records accepted by the log exporter endpoint.'),
    logsDropped: counter(names.TELEMETRY_LOGS_DROPPED, 'Log records dropped because the export queue was full.'),
    logsExportFailed: counter(names.TELEMETRY_LOGS_EXPORT_FAILED, 'Log records in export batches that failed.'),
  };
}
