// One pino JSON line as the log record the OTLP exporters serialize (the SDK's
// ReadableLogRecord shape), made in one pass over the parsed line. The SDK's Logger would
// build the same record through a LogRecordImpl, an attribute validation per field and a
// Context object for the trace ids: several times the cost, for values that came out of
// JSON.parse and so are valid attribute values already.
import { type HrTime, SeverityNumber, type SpanContext, isValidSpanId, isValidTraceId } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** The SDK LoggerProvider's default attribute count limit, kept so records look the same. */
export const ATTRIBUTE_COUNT_LIMIT = 128;
const SAMPLED = 1;

// Fields that become the record's own parts (time, severity, body, trace context) or that the
// resource already carries (service name, pid, host), so they are not repeated as attributes.
export const RESERVED_KEYS = new Set([
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

const LEVEL_NAMES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export function pinoLineRecord(
  line: Record<string, unknown>,
  resource: Resource,
  instrumentationScope: ReadableLogRecord['instrumentationScope'],
): ReadableLogRecord {
  const level = typeof line['level'] === 'number' ? line['level'] : 30;
  const attributes: Record<string, unknown> = {};
  let count = 0;
  let dropped = 0;
  for (const key in line) {
    if (RESERVED_KEYS.has(key)) continue;
    if (count < ATTRIBUTE_COUNT_LIMIT) {
      attributes[key] = line[key];
      count++;
    } else dropped++;
  }
  const now = Date.now();
  return {
    hrTime: hrTimeOf(typeof line['time'] === 'number' ? line['time'] : now),
    hrTimeObserved: hrTimeOf(now),
    spanContext: spanContextOf(line),
    severityNumber: severityOf(level),
    severityText: levelName(level),
    body: typeof line['msg'] === 'string' ? line['msg'] : '',
    resource,
    instrumentationScope,
    attributes,
    droppedAttributesCount: dropped,
  };
}

/** The line's trace context when both ids are valid (the SDK drops an invalid one too). */
export function spanContextOf(line: Record<string, unknown>): SpanContext | undefined {
  const traceId = line['trace_id'];
  const spanId = line['span_id'];
  if (typeof traceId !== 'string' || typeof spanId !== 'string') return undefined;
  if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return undefined;
  const flags = line['trace_flags'];
  return {
    traceId,
    spanId,
    traceFlags: (typeof flags === 'string' ? parseInt(flags, 16) : SAMPLED) & SAMPLED,
    isRemote: true,
  };
}

function hrTimeOf(epochMillis: number): HrTime {
  const seconds = Math.floor(epochMillis / 1000);
  return [seconds, Math.round((epochMillis - seconds * 1000) * 1e6)];
}

/** pino levels 10..60 onto OTel severity numbers (TRACE=1, DEBUG=5, INFO=9, WARN=13, ERROR=17, FATAL=21). */
export function severityOf(level: number): SeverityNumber {
  if (level >= 60) return SeverityNumber.FATAL;
  if (level >= 50) return SeverityNumber.ERROR;
  if (level >= 40) return SeverityNumber.WARN;
  if (level >= 30) return SeverityNumber.INFO;
  if (level >= 20) return SeverityNumber.DEBUG;
  return SeverityNumber.TRACE;
}

export function levelName(level: number): string {
  return LEVEL_NAMES[Math.min(5, Math.max(0, Math.floor(level / 10) - 1))] ?? 'info';
}
