// pino JSON lines encoded straight into an OTLP ExportLogsServiceRequest (protobuf), for the
// http/protobuf log transport: the LogRecord each line becomes is written as the line is read,
// with no record object, batch processor or second serialization pass in between. The record is
// the one pinoLineRecord() makes for the other protocols, field for field, encoded as
// otlp-transformer's ProtobufLogsSerializer encodes it (pino-line-encoder.test.ts compares the two).
import { EncodedKeys, writeAnyValue, writeKeyValue } from '../protobuf/otlp-values.ts';
import { ProtobufWriter } from '../protobuf/protobuf-writer.ts';
import { ATTRIBUTE_COUNT_LIMIT, RESERVED_KEYS, levelName, severityOf, spanContextOf } from './pino-line-record.ts';

// Field tags (field number << 3 | wire type), named after opentelemetry-proto's fields.
const TAG = {
  resourceLogs: 0x0a, // ExportLogsServiceRequest.resource_logs = 1
  resource: 0x0a, // ResourceLogs.resource = 1
  resourceAttributes: 0x0a, // Resource.attributes = 1
  scopeLogs: 0x12, // ResourceLogs.scope_logs = 2
  scope: 0x0a, // ScopeLogs.scope = 1
  scopeName: 0x0a, // InstrumentationScope.name = 1
  logRecord: 0x12, // ScopeLogs.log_records = 2
  time: 0x09, // LogRecord.time_unix_nano = 1, fixed64
  severityNumber: 0x10,
  severityText: 0x1a,
  body: 0x2a,
  attributes: 0x32,
  droppedAttributesCount: 0x38,
  flags: 0x45, // fixed32
  traceId: 0x4a,
  spanId: 0x52,
  observedTime: 0x59, // LogRecord.observed_time_unix_nano = 11, fixed64
} as const;

// A batch's two enclosing lengths are reserved as 3-byte varints (up to 2 MiB), and moved once
// at the end if smaller: a batch of 512 lines is some 60 KiB.
const ENCLOSING_LENGTH_BYTES = 3;
const INITIAL_BUFFER_BYTES = 64 * 1024;

export class PinoLineEncoder {
  /** Records in the batch under way. */
  count = 0;
  private readonly keys = new EncodedKeys();
  // ResourceLogs.resource and ScopeLogs.scope with their tags, encoded once.
  private readonly resource: Uint8Array;
  private readonly scope: Uint8Array;
  private writer: ProtobufWriter | undefined;
  private resourceLogsMark = 0;
  private scopeLogsMark = 0;
  private bufferSize = INITIAL_BUFFER_BYTES;

  /** Every record of this encoder has the resource `service.name` and one scope, `scopeName`. */
  constructor(serviceName: string, scopeName: string) {
    const scratch = new ProtobufWriter(256);
    scratch.uint(TAG.resource);
    const resource = scratch.begin(1);
    writeKeyValue(scratch, TAG.resourceAttributes, this.keys.get('service.name'), serviceName);
    scratch.end(resource);
    this.resource = scratch.copy();
    scratch.pos = 0;
    scratch.uint(TAG.scope);
    const scope = scratch.begin(1);
    scratch.uint(TAG.scopeName);
    scratch.string(scopeName);
    scratch.end(scope);
    this.scope = scratch.copy();
  }

  /**
   * Appends the record of one parsed pino line to the batch under way. False when the line
   * cannot be encoded (nested deeper than the stack allows): the batch is left as it was.
   */
  add(line: Record<string, unknown>): boolean {
    const writer = this.batchWriter();
    const start = writer.pos;
    try {
      this.writeRecord(writer, line);
    } catch {
      writer.pos = start;
      return false;
    }
    this.count++;
    return true;
  }

  private writeRecord(writer: ProtobufWriter, line: Record<string, unknown>): void {
    writer.uint(TAG.logRecord);
    const mark = writer.begin(2);
    const now = Date.now();
    writer.uint(TAG.time);
    writeEpochMillis(writer, typeof line['time'] === 'number' ? line['time'] : now);
    const level = typeof line['level'] === 'number' ? line['level'] : 30;
    writer.uint(TAG.severityNumber);
    writer.uint(severityOf(level));
    writer.uint(TAG.severityText);
    writer.string(levelName(level));
    writer.uint(TAG.body);
    const body = writer.begin(1);
    writeAnyValue(writer, typeof line['msg'] === 'string' ? line['msg'] : '');
    writer.end(body);
    let count = 0;
    let dropped = 0;
    for (const key in line) {
      if (RESERVED_KEYS.has(key)) continue;
      if (count === ATTRIBUTE_COUNT_LIMIT) {
        dropped++;
        continue;
      }
      writeKeyValue(writer, TAG.attributes, this.keys.get(key), line[key]);
      count++;
    }
    writer.uint(TAG.droppedAttributesCount);
    writer.uint(dropped);
    const spanContext = spanContextOf(line);
    if (spanContext) {
      if (spanContext.traceFlags) {
        writer.uint(TAG.flags);
        writer.fixed32(spanContext.traceFlags);
      }
      writer.uint(TAG.traceId);
      writer.hexId(spanContext.traceId);
      writer.uint(TAG.spanId);
      writer.hexId(spanContext.spanId);
    }
    writer.uint(TAG.observedTime);
    writeEpochMillis(writer, now);
    writer.end(mark);
  }

  /** The request body of the batch under way, which then ends; undefined when it is empty. */
  take(): Uint8Array | undefined {
    const writer = this.writer;
    if (!writer) return undefined;
    writer.end(this.scopeLogsMark);
    writer.end(this.resourceLogsMark);
    // The next batch starts with room for one like this, so that it rarely grows by copying.
    this.bufferSize = Math.max(INITIAL_BUFFER_BYTES, writer.pos + (writer.pos >>> 3));
    this.writer = undefined;
    this.count = 0;
    return writer.buffer.subarray(0, writer.pos);
  }

  /** The writer of the batch under way, begun with the resource and scope if it is new. */
  private batchWriter(): ProtobufWriter {
    if (this.writer) return this.writer;
    // A buffer of its own per batch: the export still reads the previous one.
    const writer = new ProtobufWriter(this.bufferSize);
    writer.uint(TAG.resourceLogs);
    this.resourceLogsMark = writer.begin(ENCLOSING_LENGTH_BYTES);
    writer.raw(this.resource);
    writer.uint(TAG.scopeLogs);
    this.scopeLogsMark = writer.begin(ENCLOSING_LENGTH_BYTES);
    writer.raw(this.scope);
    this.writer = writer;
    return writer;
  }
}

/** Epoch milliseconds as fixed64 nanoseconds, rounded as pinoLineRecord() rounds them. */
function writeEpochMillis(writer: ProtobufWriter, epochMillis: number): void {
  const seconds = Math.floor(epochMillis / 1000);
  writer.time(seconds, Math.round((epochMillis - seconds * 1000) * 1e6));
}
