// Encodes finished spans as an OTLP ExportTraceServiceRequest (protobuf), for the http/protobuf
// trace exporter (otlp-proto-trace-exporter.ts). It encodes the same message as
// otlp-transformer's ProtobufTraceSerializer at a fraction of its cost on the main thread: the
// resource and each instrumentation scope are encoded once and their bytes reused, attribute
// keys likewise, and one pass writes into a reused buffer (protobuf-writer.ts). A span may also
// be encoded as it ends (encode()), and its bytes copied into the request later.
import type { Attributes, Link, SpanContext } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { EncodedKeys, writeAttributes, writeCount } from '../protobuf/otlp-values.ts';
import { ProtobufWriter } from '../protobuf/protobuf-writer.ts';
import { EncodedSpan, EncodedSpans } from './encoded-span.ts';

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

// As many as exports may be in flight at once (otlp-exporters.ts' concurrency limit), and one more.
const MAX_SPARE_BUFFERS = 3;

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
  // Resources and scopes are encoded apart, once, then copied in; attribute keys and recurring
  // values likewise (EncodedKeys has a writer of its own: a key or value is encoded while a
  // resource or scope is).
  private readonly scratch = new ProtobufWriter(1024);
  private readonly resources = new WeakMap<Resource, Uint8Array>();
  private readonly scopes = new WeakMap<InstrumentationScope, Uint8Array>();
  private readonly keys = new EncodedKeys();
  // encode() writes a span here, then keeps a copy of its bytes.
  private readonly spanWriter = new ProtobufWriter(1024);
  private readonly encoded = new EncodedSpans();

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
        for (const span of scopeSpans) {
          if (span instanceof EncodedSpan) span.copyInto(writer);
          else this.writeSpan(writer, span);
        }
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

  /**
   * A finished span as the ScopeSpans.spans field serialize() writes for it (tag, length,
   * message), kept outside the JS heap until serialize() copies it in (encode-on-end-processor.ts).
   */
  encode(span: ReadableSpan): EncodedSpan {
    const writer = this.spanWriter;
    writer.pos = 0;
    this.writeSpan(writer, span);
    return this.encoded.keep(writer.buffer, writer.pos, span.resource, span.instrumentationScope);
  }

  /** Gives back the buffer of a body from serialize() that no request will read again. */
  release(body: Uint8Array): void {
    const buffer = Buffer.from(body.buffer, 0, body.buffer.byteLength);
    if (buffer.length === this.bufferSize && this.spare.length < MAX_SPARE_BUFFERS) this.spare.push(buffer);
  }

  private writeSpan(writer: ProtobufWriter, span: ReadableSpan): void {
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
    writeAttributes(writer, TAG.attributes, span.attributes, this.keys);
    writeCount(writer, TAG.droppedAttributesCount, span.droppedAttributesCount);
    for (const event of span.events) this.writeEvent(writer, event);
    writeCount(writer, TAG.droppedEventsCount, span.droppedEventsCount);
    for (const link of span.links) this.writeLink(writer, link);
    writeCount(writer, TAG.droppedLinksCount, span.droppedLinksCount);
    this.writeStatus(writer, span);
    writer.uint(TAG.flags);
    writer.fixed32(spanFlags(context, parent?.isRemote));
    writer.end(mark);
  }

  private writeEvent(writer: ProtobufWriter, event: TimedEvent): void {
    writer.uint(TAG.event);
    const mark = writer.begin(1);
    writer.uint(TAG.eventTime);
    writer.hrTime(event.time);
    writer.uint(TAG.eventName);
    writer.string(event.name);
    writeAttributes(writer, TAG.eventAttributes, event.attributes, this.keys);
    writeCount(writer, TAG.eventDroppedAttributesCount, event.droppedAttributesCount);
    writer.end(mark);
  }

  private writeLink(writer: ProtobufWriter, link: Link): void {
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
    writeAttributes(writer, TAG.linkAttributes, link.attributes, this.keys);
    writeCount(writer, TAG.linkDroppedAttributesCount, link.droppedAttributesCount);
    writer.uint(TAG.linkFlags);
    writer.fixed32(spanFlags(context, context.isRemote));
    writer.end(mark);
  }

  private writeStatus(writer: ProtobufWriter, span: ReadableSpan): void {
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

  /** ResourceSpans.resource with its tag, encoded once per resource. */
  private encodedResource(resource: Resource): Uint8Array {
    let encoded = this.resources.get(resource);
    if (encoded) return encoded;
    const scratch = this.scratch;
    scratch.pos = 0;
    scratch.uint(TAG.resource);
    const mark = scratch.begin(2);
    writeAttributes(scratch, 0x0a, resource.attributes, this.keys); // Resource.attributes = 1
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
    writeAttributes(scratch, 0x1a, scope.attributes, this.keys); // attributes = 3
    writeCount(scratch, 0x20, scope.droppedAttributesCount); // dropped_attributes_count = 4
    scratch.end(mark);
    encoded = scratch.copy();
    this.scopes.set(scope, encoded);
    return encoded;
  }
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
