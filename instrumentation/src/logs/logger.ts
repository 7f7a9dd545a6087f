import { TraceFlags, context, propagation, trace } from '@opentelemetry/api';
import { hostname } from 'node:os';
import { createRequire } from 'node:module';
import type { DestinationStream, Logger, StreamEntry } from 'pino';
import type Pino from 'pino';
import { type TelemetryConfig, readConfig } from '../config.ts';
import { activeTelemetry, onShutdown } from '../start.ts';
import { LOG_OUTCOMES_EVENT, type LogOutcomes, type OtlpLogTransportOptions } from './log-transport-protocol.ts';

export interface LoggerOptions {
  /**
   * The lowest level written.
   * @default process.env.HOPSCOPE_LOG_LEVEL ?? 'info'
   */
  level?: string;
  /**
   * Extra paths to redact, added to the defaults (authorization, cookies, passwords, tokens).
   * @default []
   */
  redact?: string[];
  /**
   * Where the JSON lines go on this process (tests pass a stream).
   * @default stdout
   */
  destination?: DestinationStream;
}

/** Redacted by default: credentials must not reach a log store, whatever the application logs. */
export const DEFAULT_REDACT_PATHS = [
  'authorization',
  'cookie',
  'password',
  'token',
  'secret',
  '*.authorization',
  '*.cookie',
  '*.password',
  '*.token',
  '*.secret',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
];

let shipping: DestinationStream | undefined;

// pino is loaded on the first createLogger(), not when the package is imported: an app that
// imports the package and then calls start() must not have pino loaded (and so left
// uninstrumented) before the SDK starts.
let pinoModule: typeof Pino | undefined;
function loadPino(): typeof Pino {
  pinoModule ??= createRequire(import.meta.url)('pino') as typeof Pino;
  return pinoModule;
}

const TRANSPORT_FILE = new URL(
  `./otlp-log-transport${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

/**
 * A pino logger whose every line carries trace_id, span_id and service_name. JSON goes to
 * stdout always; when telemetry is on, the same lines are shipped over OTLP (or straight to
 * Loki with HOPSCOPE_LOKI_URL) from a worker thread.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const pino = loadPino();
  const telemetry = activeTelemetry();
  const config = telemetry?.config ?? readConfig().config;
  const level = options.level ?? config.logLevel;
  const streams: StreamEntry[] = [
    { level: 'trace', stream: options.destination ?? pino.destination({ dest: 1, sync: false }) },
  ];
  // One shipping worker per process, however many loggers the application creates.
  shipping ??= telemetry?.enabled ? shippingStream(config) : undefined;
  if (shipping) streams.push({ level: 'trace', stream: shipping });
  return pino(
    {
      level,
      base: { pid: process.pid, hostname: hostname(), service_name: config.serviceName },
      redact: { paths: [...DEFAULT_REDACT_PATHS, ...(options.redact ?? [])], censor: '[Redacted]' },
      mixin: traceFields,
    },
    pino.multistream(streams),
  );
}

/** The active trace, and the saga carried in baggage, on every line. */
function traceFields(): Record<string, string> {
  const fields: Record<string, string> = {};
  const active = context.active();
  const spanContext = trace.getSpanContext(active);
  if (spanContext && trace.isSpanContextValid(spanContext)) {
    fields['trace_id'] = spanContext.traceId;
    fields['span_id'] = spanContext.spanId;
    fields['trace_flags'] = spanContext.traceFlags & TraceFlags.SAMPLED ? '01' : '00';
  }
  const baggage = propagation.getBaggage(active);
  const sagaId = baggage?.getEntry('saga.id')?.value;
  if (sagaId) {
    fields['saga_id'] = sagaId;
    fields['saga_name'] = baggage?.getEntry('saga.name')?.value ?? '';
  }
  return fields;
}

function shippingStream(config: TelemetryConfig): DestinationStream | undefined {
  const pino = loadPino();
  const { serviceName } = config;
  if (config.lokiUrl) {
    const stream = pino.transport({
      target: 'pino-loki',
      options: { host: config.lokiUrl, labels: { service_name: serviceName }, batching: true, interval: 1 },
    });
    onShutdown(() => endStream(stream));
    return stream;
  }
  if (!config.logsUrl) return undefined;
  const options: OtlpLogTransportOptions = {
    url: config.logsUrl,
    headers: config.otlpHeaders,
    serviceName,
    timeoutMillis: config.exportTimeoutMillis,
    batch: config.logBatch,
  };
  const stream = pino.transport({ target: TRANSPORT_FILE.href, options });
  stream.on(LOG_OUTCOMES_EVENT, (outcomes: LogOutcomes) => {
    const metrics = activeTelemetry()?.metrics;
    metrics?.logsExported.inc(outcomes.exported);
    metrics?.logsDropped.inc(outcomes.dropped);
    metrics?.logsExportFailed.inc(outcomes.failed);
  });
  onShutdown(() => endStream(stream));
  return stream;
}

/** Ends a transport and resolves once its worker has flushed and closed. */
function endStream(stream: ReturnType<typeof Pino.transport>): Promise<void> {
  return new Promise((resolve) => {
    stream.once('close', () => resolve());
    stream.end();
  });
}
