// The OTLP trace and logs request schemas for tests that decode http/protobuf exports, with
// protobufjs: a decoder independent of the encoders under test.
import protobuf from 'protobufjs';

const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });
const field = (type: string, id: number) => ({ type, id });
// opentelemetry-proto's trace.proto, logs.proto, common.proto and resource.proto, as protobufjs JSON.
const root = protobuf.Root.fromJSON({
  nested: {
    ExportTraceServiceRequest: { fields: { resourceSpans: repeated('ResourceSpans', 1) } },
    ResourceSpans: {
      fields: { resource: field('Resource', 1), scopeSpans: repeated('ScopeSpans', 2), schemaUrl: field('string', 3) },
    },
    Resource: { fields: { attributes: repeated('KeyValue', 1), droppedAttributesCount: field('uint32', 2) } },
    ScopeSpans: {
      fields: { scope: field('InstrumentationScope', 1), spans: repeated('Span', 2), schemaUrl: field('string', 3) },
    },
    InstrumentationScope: {
      fields: {
        name: field('string', 1),
        version: field('string', 2),
        attributes: repeated('KeyValue', 3),
        droppedAttributesCount: field('uint32', 4),
      },
    },
    Span: {
      fields: {
        traceId: field('bytes', 1),
        spanId: field('bytes', 2),
        traceState: field('string', 3),
        parentSpanId: field('bytes', 4),
        name: field('string', 5),
        kind: field('int32', 6),
        startTimeUnixNano: field('fixed64', 7),
        endTimeUnixNano: field('fixed64', 8),
        attributes: repeated('KeyValue', 9),
        droppedAttributesCount: field('uint32', 10),
        events: repeated('Event', 11),
        droppedEventsCount: field('uint32', 12),
        links: repeated('Link', 13),
        droppedLinksCount: field('uint32', 14),
        status: field('Status', 15),
        flags: field('fixed32', 16),
      },
    },
    Event: {
      fields: {
        timeUnixNano: field('fixed64', 1),
        name: field('string', 2),
        attributes: repeated('KeyValue', 3),
        droppedAttributesCount: field('uint32', 4),
      },
    },
    Link: {
      fields: {
        traceId: field('bytes', 1),
        spanId: field('bytes', 2),
        traceState: field('string', 3),
        attributes: repeated('KeyValue', 4),
        droppedAttributesCount: field('uint32', 5),
        flags: field('fixed32', 6),
      },
    },
    Status: { fields: { message: field('string', 2), code: field('int32', 3) } },
    KeyValue: { fields: { key: field('string', 1), value: field('AnyValue', 2) } },
    AnyValue: {
      oneofs: {
        value: {
          oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'],
        },
      },
      fields: {
        stringValue: field('string', 1),
        boolValue: field('bool', 2),
        intValue: field('int64', 3),
        doubleValue: field('double', 4),
        arrayValue: field('ArrayValue', 5),
        kvlistValue: field('KeyValueList', 6),
        bytesValue: field('bytes', 7),
      },
    },
    ArrayValue: { fields: { values: repeated('AnyValue', 1) } },
    KeyValueList: { fields: { values: repeated('KeyValue', 1) } },
    ExportLogsServiceRequest: { fields: { resourceLogs: repeated('ResourceLogs', 1) } },
    ResourceLogs: {
      fields: { resource: field('Resource', 1), scopeLogs: repeated('ScopeLogs', 2), schemaUrl: field('string', 3) },
    },
    ScopeLogs: {
      fields: {
        scope: field('InstrumentationScope', 1),
        logRecords: repeated('LogRecord', 2),
        schemaUrl: field('string', 3),
      },
    },
    LogRecord: {
      fields: {
        timeUnixNano: field('fixed64', 1),
        observedTimeUnixNano: field('fixed64', 11),
        severityNumber: field('int32', 2),
        severityText: field('string', 3),
        body: field('AnyValue', 5),
        attributes: repeated('KeyValue', 6),
        droppedAttributesCount: field('uint32', 7),
        flags: field('fixed32', 8),
        traceId: field('bytes', 9),
        spanId: field('bytes', 10),
        eventName: field('string', 12),
      },
    },
  },
});
export const ExportTraceServiceRequest = root.lookupType('ExportTraceServiceRequest');
const ExportLogsServiceRequest = root.lookupType('ExportLogsServiceRequest');

/** A decoded ExportTraceServiceRequest, as plain objects: ids and bytes in base64, int64 as strings. */
export function decodeTraceRequest(bytes: Uint8Array): Record<string, unknown> {
  return ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(bytes), {
    longs: String,
    bytes: String,
    defaults: true,
  });
}

/**
 * A decoded ExportLogsServiceRequest, as decodeTraceRequest() decodes a trace request; without
 * `defaults`, fields left out of the message are left out of the object too.
 */
export function decodeLogsRequest(bytes: Uint8Array, defaults = true): Record<string, unknown> {
  return ExportLogsServiceRequest.toObject(ExportLogsServiceRequest.decode(bytes), {
    longs: String,
    bytes: String,
    defaults,
  });
}
