// Encodes finished spans as an OTLP ExportTraceServiceRequest (protobuf), for the http/protobuf
// trace exporter (otlp-proto-trace-exporter.ts). It encodes the same message as
// otlp-transformer's ProtobufTraceSerializer at a fraction of its cost on the main thread: the
// resource and each instrumentation scope are encoded once and their bytes reused, attribute
// keys likewise, and one pass writes into a reused buffer (protobuf-writer.ts).
import type { Attributes, Link, SpanContext } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { ProtobufWriter } from './protobuf-writer.ts';

// Field tags (field number << 3 | wire type), named after opentelemetry-proto's fields.
const TAG = {
  resourceSpans: 0x0a, // ExportTraceServiceRequest.resource_spans = 1
  resource: 0x0a, // ResourceSpans.resource = 1
  scopeSpans: 0x12, // ResourceSpans.scope_spans = 2
  schemaUrl: 0x1a, // ResourceSpans.schema_url = 3, ScopeSpans.schema_url = 3
  scope: 0x0a, // ScopeSpans.scope = 1
  span: 0x12, // ScopeSpans.spans = 2
  traceId: 0x0a,
  spanId: 0x12,
  traceState: 0x1a,
  parentSpanId: 0x22,
  name: 0x2a,
  kind: 0x30,
  startTime: 0x39,
  endTime: 0x41,
  attributes: 0x4a,
  droppedAttributesCount: 0x50,
  event: 0x5a,
  droppedEventsCount: 0x60,
  link: 0x6a,
  droppedLinksCount: 0x70,
  status: 0x7a,
  flags: 0x85, // field 16, fixed32: a two-byte varint
  eventTime: 0x09,
  eventName: 0x12,
  eventAttributes: 0x1a,
  eventDroppedAttributesCount: 0x20,
  linkTraceId: 0x0a,
  linkSpanId: 0x12,
  linkTraceState: 0x1a,
  linkAttributes: 0x22,
  linkDroppedAttributesCount: 0x28,
  linkFlags: 0x35,
  statusMessage: 0x12,
  statusCode: 0x18,
} as const;

// SpanFlags: the W3C trace flags in the low byte, and whether the parent (for a span) or the
// linked context (for a link) is known to be remote.
const FLAGS_HAS_IS_REMOTE = 0x100;
const FLAGS_IS_REMOTE = 0x200;

// Past this many distinct keys, keys are encoded each time: attribute keys are a bounded set in
// practice, but a bug that puts ids into keys must not grow this cache forever.
const MAX_CACHED_KEYS = 2048;
// As many as exports may be in flight at once (otlp-exporters.ts' concurrency limit), and one more.
const MAX_SPARE_BUFFERS = 3;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** Scopes may carry attributes (InstrumentationScope in otlp-transformer does). */
type Scope = InstrumentationScope & { attributes?: Attributes; droppedAttributesCount?: number };

/** Serializes spans as otlp-transformer's ProtobufTraceSerializer does, to equal decoded messages. */
export class OtlpSpanSerializer {
  // One writer for every export: serialization is synchronous, and each body is a buffer of its own.
  private readonly writer = new ProtobufWriter(0);
  // Buffers of exports that are done, for the next ones: a fresh buffer of a few hundred KiB for
  // every export costs more than encoding it (the kernel maps and zeroes its pages anew).
  private readonly spare: Buffer[] = [];
  private bufferSize = 64 * 1024;
  // Resources and scopes are encoded apart, once, then copied in; keys have their own writer
  // since they are encoded while a resource or scope is.
  private readonly scratch = new ProtobufWriter(1024);
  private readonly keyWriter = new ProtobufWriter(256);
  private readonly resources = new WeakMap<Resource, Uint8Array>();
  private readonly scopes = new WeakMap<InstrumentationScope, Uint8Array>();
  private readonly keys = new Map<string, Uint8Array>();

  /**
   * The request body, in a buffer of its own until it is handed back to release(), when the
   * export is done with it (sent, retried, given up).
   */
  serialize(spans: readonly ReadableSpan[]): Uint8Array {
    const writer = this.writer;
    writer.reset(this.spare.pop() ?? Buffer.allocUnsafeSlow(this.bufferSize));
    for (const [resource, scopes] of groupByResourceAndScope(spans)) {
      writer.uint(TAG.resourceSpans);
      const resourceSpans = writer.begin(3);
      writer.raw(this.encodedResource(resource));
      for (const [scope, scopeSpans] of scopes) {
        writer.uint(TAG.scopeSpans);
        const scopeSpansMark = writer.begin(3);
        writer.raw(this.encodedScope(scope));
        for (const span of scopeSpans) this.writeSpan(span);
        if (scope.schemaUrl) {
          writer.uint(TAG.schemaUrl);
          writer.string(scope.schemaUrl);
        }
        writer.end(scopeSpansMark);
      }
      if (resource.schemaUrl) {
        writer.uint(TAG.schemaUrl);
        writer.string(resource.schemaUrl);
      }
      writer.end(resourceSpans);
    }
    this.bufferSize = Math.max(this.bufferSize, writer.buffer.length);
    return writer.buffer.subarray(0, writer.pos);
  }

  /** Gives back the buffer of a body from serialize() that no request will read again. */
  release(body: Uint8Array): void {
    const buffer = Buffer.from(body.buffer, 0, body.buffer.byteLength);
    if (buffer.length === this.bufferSize && this.spare.length < MAX_SPARE_BUFFERS) this.spare.push(buffer);
  }

  private writeSpan(span: ReadableSpan): void {
    const writer = this.writer;
    writer.uint(TAG.span);
    const mark = writer.begin(2);
    const context = span.spanContext();
    writer.uint(TAG.traceId);
    writer.hexId(context.traceId);
    writer.uint(TAG.spanId);
    writer.hexId(context.spanId);
    const traceState = context.traceState?.serialize();
    if (traceState) {
      writer.uint(TAG.traceState);
      writer.string(traceState);
    }
    const parent = span.parentSpanContext;
    if (parent?.spanId) {
      writer.uint(TAG.parentSpanId);
      writer.hexId(parent.spanId);
    }
    writer.uint(TAG.name);
    writer.string(span.name);
    if (span.kind != null) {
      writer.uint(TAG.kind);
      writer.uint(span.kind + 1); // SpanKind counts from INTERNAL = 0, OTLP from UNSPECIFIED = 0
    }
    writer.uint(TAG.startTime);
    writer.hrTime(span.startTime);
    writer.uint(TAG.endTime);
    writer.hrTime(span.endTime);
    this.writeAttributes(writer, TAG.attributes, span.attributes);
    writeCount(writer, TAG.droppedAttributesCount, span.droppedAttributesCount);
    for (const event of span.events) this.writeEvent(event);
    writeCount(writer, TAG.droppedEventsCount, span.droppedEventsCount);
    for (const link of span.links) this.writeLink(link);
    writeCount(writer, TAG.droppedLinksCount, span.droppedLinksCount);
    this.writeStatus(span);
    writer.uint(TAG.flags);
    writer.fixed32(spanFlags(context, parent?.isRemote));
    writer.end(mark);
  }

  private writeEvent(event: TimedEvent): void {
    const writer = this.writer;
    writer.uint(TAG.event);
    const mark = writer.begin(1);
    writer.uint(TAG.eventTime);
    writer.hrTime(event.time);
    writer.uint(TAG.eventName);
    writer.string(event.name);
    this.writeAttributes(writer, TAG.eventAttributes, event.attributes);
    writeCount(writer, TAG.eventDroppedAttributesCount, event.droppedAttributesCount);
    writer.end(mark);
  }

  private writeLink(link: Link): void {
    const writer = this.writer;
    const context = link.context;
    writer.uint(TAG.link);
    const mark = writer.begin(1);
    writer.uint(TAG.linkTraceId);
    writer.hexId(context.traceId);
    writer.uint(TAG.linkSpanId);
    writer.hexId(context.spanId);
    const traceState = context.traceState?.serialize();
    if (traceState) {
      writer.uint(TAG.linkTraceState);
      writer.string(traceState);
    }
    this.writeAttributes(writer, TAG.linkAttributes, link.attributes);
    writeCount(writer, TAG.linkDroppedAttributesCount, link.droppedAttributesCount);
    writer.uint(TAG.linkFlags);
    writer.fixed32(spanFlags(context, context.isRemote));
    writer.end(mark);
  }

  private writeStatus(span: ReadableSpan): void {
    const writer = this.writer;
    const { code, message } = span.status;
    writer.uint(TAG.status);
    const mark = writer.begin(1);
    if (message) {
      writer.uint(TAG.statusMessage);
      writer.string(message);
    }
    if (code) {
      writer.uint(TAG.statusCode);
      writer.uint(code);
    }
    writer.end(mark);
  }

  /** Repeated KeyValue `tag`. */
  private writeAttributes(writer: ProtobufWriter, tag: number, attributes: Attributes | undefined): void {
    if (!attributes) return;
    for (const key in attributes) {
      if (!Object.hasOwn(attributes, key)) continue;
      writer.uint(tag);
      const mark = writer.begin(1);
      writer.raw(this.encodedKey(key));
      writer.uint(0x12); // KeyValue.value = 2
      const value = writer.begin(1);
      writeAnyValue(writer, attributes[key]);
      writer.end(value);
      writer.end(mark);
    }
  }

  /** KeyValue.key = 1 with its tag and length, encoded once per key. */
  private encodedKey(key: string): Uint8Array {
    let encoded = this.keys.get(key);
    if (encoded) return encoded;
    const keyWriter = this.keyWriter;
    keyWriter.pos = 0;
    keyWriter.uint(0x0a);
    keyWriter.string(key);
    encoded = keyWriter.copy();
    if (this.keys.size < MAX_CACHED_KEYS) this.keys.set(key, encoded);
    return encoded;
  }

  /** ResourceSpans.resource with its tag, encoded once per resource. */
  private encodedResource(resource: Resource): Uint8Array {
    let encoded = this.resources.get(resource);
    if (encoded) return encoded;
    const scratch = this.scratch;
    scratch.pos = 0;
    scratch.uint(TAG.resource);
    const mark = scratch.begin(2);
    this.writeAttributes(scratch, 0x0a, resource.attributes); // Resource.attributes = 1
    scratch.end(mark);
    encoded = scratch.copy();
    // Attributes still to be resolved would be missing from the cached bytes.
    if (!resource.asyncAttributesPending) this.resources.set(resource, encoded);
    return encoded;
  }

  /** ScopeSpans.scope with its tag, encoded once per scope. */
  private encodedScope(scope: Scope): Uint8Array {
    let encoded = this.scopes.get(scope);
    if (encoded) return encoded;
    const scratch = this.scratch;
    scratch.pos = 0;
    scratch.uint(TAG.scope);
    const mark = scratch.begin(1);
    scratch.uint(0x0a); // InstrumentationScope.name = 1
    scratch.string(scope.name);
    if (scope.version) {
      scratch.uint(0x12); // version = 2
      scratch.string(scope.version);
    }
    this.writeAttributes(scratch, 0x1a, scope.attributes); // attributes = 3
    writeCount(scratch, 0x20, scope.droppedAttributesCount); // dropped_attributes_count = 4
    scratch.end(mark);
    encoded = scratch.copy();
    this.scopes.set(scope, encoded);
    return encoded;
  }
}

/** An AnyValue's fields, as otlp-transformer writes them (nothing for null or undefined). */
function writeAnyValue(writer: ProtobufWriter, value: unknown): void {
  if (typeof value === 'string') {
    writer.uint(0x0a); // string_value = 1
    writer.string(value);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
      writer.uint(0x18); // int_value = 3
      writer.int64(value);
    } else {
      writer.uint(0x21); // double_value = 4
      writer.double(value);
    }
  } else if (typeof value === 'boolean') {
    writer.uint(0x10); // bool_value = 2
    writer.uint(value ? 1 : 0);
  } else if (value instanceof Uint8Array) {
    writer.uint(0x3a); // bytes_value = 7
    writer.bytes(value);
  } else if (Array.isArray(value)) {
    writer.uint(0x2a); // array_value = 5
    const array = writer.begin(1);
    for (const item of value as unknown[]) {
      writer.uint(0x0a); // ArrayValue.values = 1
      const mark = writer.begin(1);
      writeAnyValue(writer, item);
      writer.end(mark);
    }
    writer.end(array);
  } else if (typeof value === 'object' && value !== null) {
    writer.uint(0x32); // kvlist_value = 6
    const list = writer.begin(1);
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      writer.uint(0x0a); // KeyValueList.values = 1
      const pair = writer.begin(1);
      writer.uint(0x0a); // KeyValue.key = 1
      writer.string(key);
      writer.uint(0x12); // KeyValue.value = 2
      const mark = writer.begin(1);
      writeAnyValue(writer, (value as Record<string, unknown>)[key]);
      writer.end(mark);
      writer.end(pair);
    }
    writer.end(list);
  }
}

function writeCount(writer: ProtobufWriter, tag: number, count: number | undefined): void {
  if (!count) return;
  writer.uint(tag);
  writer.uint(count);
}

function spanFlags(context: SpanContext, isRemote: boolean | undefined): number {
  return (context.traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (isRemote ? FLAGS_IS_REMOTE : 0);
}

/** Spans by resource, then by scope, by identity and in first-seen order, as upstream groups them. */
function groupByResourceAndScope(spans: readonly ReadableSpan[]): Map<Resource, Map<Scope, ReadableSpan[]>> {
  const resources = new Map<Resource, Map<Scope, ReadableSpan[]>>();
  for (const span of spans) {
    let scopes = resources.get(span.resource);
    if (!scopes) resources.set(span.resource, (scopes = new Map<Scope, ReadableSpan[]>()));
    const scopeSpans = scopes.get(span.instrumentationScope);
    if (scopeSpans) scopeSpans.push(span);
    else scopes.set(span.instrumentationScope, [span]);
  }
  return resources;
}
