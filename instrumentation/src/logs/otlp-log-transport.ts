// A pino transport: runs in pino's worker thread, so converting and exporting log lines
// never costs the application's event loop. Each JSON line becomes an OTLP log record
// whose trace context is the line's trace_id/span_id, which is what Loki's OTLP endpoint
// turns into `trace_id` structured metadata.
import { ROOT_CONTEXT, SeverityNumber, TraceFlags, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import build from 'pino-abstract-transport';
import { parentPort } from 'node:worker_threads';
import { processorOutcomeMeterProvider } from '../metrics/processor-outcomes.ts';
import { createLogExporter } from '../otlp-exporters.ts';
import { LOG_OUTCOMES_EVENT, type LogOutcomes, type OtlpLogTransportOptions } from './log-transport-protocol.ts';

const REPORT_INTERVAL_MS = 1000;
const RESERVED_KEYS = new Set([
  'level',
  'time',
  'msg',
  'trace_id',
  'span_id',
  'trace_flags',
  'pid',
  'hostname',
  'service_name',
]);

export default function otlpLogTransport(options: OtlpLogTransportOptions) {
  let outcomes: LogOutcomes = { exported: 0, dropped: 0, failed: 0 };
  const report = () => {
    if (outcomes.exported + outcomes.dropped + outcomes.failed === 0) return;
    // thread-stream re-emits {code: 'EVENT'} messages as events on the main-thread stream.
    parentPort?.postMessage({ code: 'EVENT', name: LOG_OUTCOMES_EVENT, args: [outcomes] });
    outcomes = { exported: 0, dropped: 0, failed: 0 };
  };
  const timer = setInterval(report, REPORT_INTERVAL_MS).unref();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    processors: [
      new BatchLogRecordProcessor({
        exporter: createLogExporter(options.target),
        ...options.batch,
        selfObsMeterProvider: processorOutcomeMeterProvider((outcome, count) => {
          outcomes[outcome] += count;
        }),
      }),
    ],
  });
  const logger = provider.getLogger('@hopscope/instrumentation');

  return build(
    async (source: AsyncIterable<Record<string, unknown>>) => {
      for await (const line of source) logger.emit(toLogRecord(line));
    },
    {
      async close() {
        clearInterval(timer);
        await provider.shutdown();
        report();
      },
    },
  );
}

function toLogRecord(line: Record<string, unknown>) {
  const level = typeof line['level'] === 'number' ? line['level'] : 30;
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(line)) {
    if (!RESERVED_KEYS.has(key) && value !== undefined) attributes[key] = value;
  }
  const traceId = line['trace_id'];
  const spanId = line['span_id'];
  const context =
    typeof traceId === 'string' && typeof spanId === 'string'
      ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId,
          spanId,
          traceFlags: Number(line['trace_flags'] ?? TraceFlags.SAMPLED) & TraceFlags.SAMPLED,
          isRemote: true,
        })
      : undefined;
  return {
    timestamp: typeof line['time'] === 'number' ? line['time'] : Date.now(),
    severityNumber: severityOf(level),
    severityText: levelName(level),
    body: typeof line['msg'] === 'string' ? line['msg'] : '',
    attributes,
    ...(context ? { context } : {}),
  };
}

/** pino levels 10..60 onto OTel severity numbers (TRACE=1, DEBUG=5, INFO=9, WARN=13, ERROR=17, FATAL=21). */
function severityOf(level: number): SeverityNumber {
  if (level >= 60) return SeverityNumber.FATAL;
  if (level >= 50) return SeverityNumber.ERROR;
  if (level >= 40) return SeverityNumber.WARN;
  if (level >= 30) return SeverityNumber.INFO;
  if (level >= 20) return SeverityNumber.DEBUG;
  return SeverityNumber.TRACE;
}

function levelName(level: number): string {
  return (
    ['trace', 'debug', 'info', 'warn', 'error', 'fatal'][Math.min(5, Math.max(0, Math.floor(level / 10) - 1))] ?? 'info'
  );
}
