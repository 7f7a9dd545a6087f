import { type Baggage, context, propagation, trace } from '@opentelemetry/api';
import { hostname } from 'node:os';
import { createRequire } from 'node:module';
import type { DestinationStream, Logger, StreamEntry } from 'pino';
import type Pino from 'pino';
import { type OtlpTarget, type TelemetryConfig, otlpTarget, readConfig } from '../config.ts';
import { packageFile } from '../import-now.ts';
import { activeTelemetry, onShutdown } from '../telemetry-state.ts';
import { DEFAULT_REDACTED_KEYS, REDACTED, redactCredentials, redactInterpolated } from './redact-credentials.ts';
import { batchedLines } from './batched-lines.ts';
import { LOG_OUTCOMES_EVENT, type LogOutcomes, type OtlpLogTransportOptions } from './log-transport-protocol.ts';

export interface LoggerOptions {
  /**
   * The lowest level written.
   * @default process.env.HOPSCOPE_LOG_LEVEL ?? 'info'
   */
  level?: string;
  /**
   * Extra paths to redact, in pino's `redact` syntax (case-sensitive), added to the defaults:
   * authorization, cookie, set-cookie, password, token and secret in any letter case, at the
   * top level, one level down, and in `headers` one level down. Deeper paths need listing here.
   * @default []
   */
  redact?: string[];
  /**
   * Where the JSON lines go on this process (tests pass a stream).
   * @default stdout
   */
  destination?: DestinationStream;
}

/**
 * The positions `createLogger()` redacts by default, in pino's `redact` path syntax, for the
 * application's other pino loggers. createLogger matches these keys in any letter case; pino
 * paths match only the case written here.
 */
export const DEFAULT_REDACT_PATHS: readonly string[] = DEFAULT_REDACTED_KEYS.flatMap((key) => {
  const quoted = key.includes('-');
  const member = quoted ? `["${key}"]` : `.${key}`;
  return [quoted ? member : key, `*${member}`, `*.headers${member}`];
});

let shipping: DestinationStream | undefined;

// pino is loaded on the first createLogger(), not when the package is imported: an app that
// imports the package and then calls start() must not have pino loaded (and so left
// uninstrumented) before the SDK starts.
let pinoModule: typeof Pino | undefined;
function loadPino(): typeof Pino {
  pinoModule ??= createRequire(import.meta.url)('pino') as typeof Pino;
  return pinoModule;
}

const TRANSPORT_FILE = packageFile('logs/otlp-log-transport');

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
  const extraPaths = options.redact ?? [];
  const logger = pino(
    {
      level,
      base: { pid: process.pid, hostname: hostname(), service_name: config.serviceName },
      // pino's own redactor only for the application's extra paths: it costs microseconds a line.
      ...(extraPaths.length > 0 ? { redact: { paths: extraPaths, censor: REDACTED } } : {}),
      formatters: { log: redactCredentials },
      hooks: {
        // Values interpolated into the message come after it (`log.info(fields?, msg, ...values)`).
        logMethod(args, method) {
          redactInterpolated(args, typeof args[0] === 'string' ? 1 : 2);
          method.apply(this, args);
        },
      },
      mixin: traceFields,
    },
    pino.multistream(streams),
  );
  // instrumentation-pino wraps every pino logger's mixin with its own, which writes the same
  // three trace fields a second time on each line: this logger keeps only its own.
  (logger as unknown as Record<symbol, unknown>)[pino.symbols.mixinSym] = traceFields;
  redactChildBindings(logger);
  return logger;
}

/**
 * `formatters.log` sees what is logged, not a child's bindings (pino formats those once, at
 * `child()`), so `child()` redacts them first. Children inherit the method from their parent
 * (pino creates them with `Object.create(parent)`), so grandchildren are covered too.
 */
function redactChildBindings(logger: Logger): void {
  // Unbound on purpose: each child calls it with itself as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const child = logger.child;
  logger.child = function childWithRedactedBindings(this: Logger, bindings, childOptions) {
    return child.call(this, redactCredentials(bindings), childOptions);
  } as Logger['child'];
}

// The traceparent form of each trace flags byte, made once rather than formatted per line.
const TRACE_FLAGS = Array.from({ length: 256 }, (_, flags) => flags.toString(16).padStart(2, '0'));

/**
 * The active trace, and the saga carried in baggage, on every line. pino merges the line's own
 * fields into the object returned, so it is a new one each time, made whole in one literal.
 */
function traceFields(): Record<string, string> {
  const active = context.active();
  const span = trace.getSpan(active);
  const spanContext = span?.spanContext();
  // A span the SDK is recording has ids the SDK made or the propagator checked: the validity
  // check (a scan of both ids) is for the others, such as a remote context set by hand.
  const valid = spanContext !== undefined && (span!.isRecording() || trace.isSpanContextValid(spanContext));
  const baggage = propagation.getBaggage(active);
  const sagaId = baggage?.getEntry('saga.id')?.value;
  if (!valid) return sagaId ? { saga_id: sagaId, saga_name: sagaName(baggage) } : {};
  const traceId = spanContext.traceId;
  const spanId = spanContext.spanId;
  const traceFlags = TRACE_FLAGS[spanContext.traceFlags & 0xff];
  if (!sagaId) return { trace_id: traceId, span_id: spanId, trace_flags: traceFlags };
  return {
    trace_id: traceId,
    span_id: spanId,
    trace_flags: traceFlags,
    saga_id: sagaId,
    saga_name: sagaName(baggage),
  };
}

function sagaName(baggage: Baggage): string {
  return baggage.getEntry('saga.name')?.value ?? '';
}

function shippingStream(config: TelemetryConfig): DestinationStream | undefined {
  const target = config.lokiUrl ? undefined : otlpTarget(config, 'logs');
  if (!config.lokiUrl && !target) return undefined;
  // The worker starts with the first line, not with the logger: its boot (≈30 ms of CPU) then
  // does not compete with the service's own startup on its core, and a service that never logs
  // never starts one.
  let transport: ReturnType<typeof Pino.transport> | undefined;
  let failed = false;
  const lines = batchedLines(() => {
    if (transport || failed) return transport;
    // Called from a logging call: a worker that cannot start turns shipping off, said once.
    try {
      transport = startTransport(config, target);
    } catch (error) {
      failed = true;
      process.stderr.write(`hopscope: log lines are not shipped, their worker did not start: ${String(error)}\n`);
    }
    return transport;
  });
  onShutdown(() => {
    lines.flush();
    return transport ? endStream(transport) : Promise.resolve();
  });
  return lines;
}

function startTransport(config: TelemetryConfig, target: OtlpTarget | undefined): ReturnType<typeof Pino.transport> {
  const pino = loadPino();
  const { serviceName } = config;
  if (config.lokiUrl) {
    return pino.transport({
      target: 'pino-loki',
      options: { host: config.lokiUrl, labels: { service_name: serviceName }, batching: true, interval: 1 },
    });
  }
  const options: OtlpLogTransportOptions = { target: target!, serviceName, batch: config.logBatch };
  const transport = pino.transport({ target: TRANSPORT_FILE.href, options });
  transport.on(LOG_OUTCOMES_EVENT, (outcomes: LogOutcomes) => {
    const metrics = activeTelemetry()?.metrics;
    metrics?.logsExported.inc(outcomes.exported);
    metrics?.logsDropped.inc(outcomes.dropped);
    metrics?.logsExportFailed.inc(outcomes.failed);
  });
  return transport;
}

/** Ends a transport and resolves once its worker has flushed and closed. */
function endStream(stream: ReturnType<typeof Pino.transport>): Promise<void> {
  return new Promise((resolve) => {
    stream.once('close', () => resolve());
    stream.end();
  });
}
