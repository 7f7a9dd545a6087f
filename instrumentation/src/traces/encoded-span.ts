import { type SpanContext, TraceFlags } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ProtobufWriter } from '../protobuf/protobuf-writer.ts';

// Only sampled spans are encoded, and the batch processor reads nothing else of the context.
const SAMPLED: SpanContext = Object.freeze({ traceId: '', spanId: '', traceFlags: TraceFlags.SAMPLED });

// Spans are encoded one after another into slabs of this size (a larger span gets a slab of its
// own). Slabs whose spans were all copied into requests are kept for reuse, up to a bound.
const SLAB_SIZE = 64 * 1024;
const MAX_FREE_SLABS = 32;

/**
 * A sampled span once its OTLP bytes are written (encode-on-end-processor.ts), in its place in
 * the export queue: what the batch processor reads of a span it queues (the sampled flag, the
 * resource), what the serializer groups spans by, and where its bytes are. The span itself, with
 * its attributes and events, is garbage as soon as it ends.
 */
export class EncodedSpan {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  private slab: Slab | undefined;
  private readonly start: number;
  private readonly end: number;

  constructor(slab: Slab, start: number, end: number, resource: Resource, scope: InstrumentationScope) {
    this.slab = slab;
    this.start = start;
    this.end = end;
    this.resource = resource;
    this.instrumentationScope = scope;
  }

  spanContext(): SpanContext {
    return SAMPLED;
  }

  /** Writes the bytes into a request, once: the slab they are in may be reused after. */
  copyInto(writer: ProtobufWriter): void {
    const slab = this.slab;
    if (!slab) throw new Error('an encoded span was copied into a request twice');
    this.slab = undefined;
    writer.rawFrom(slab.buffer, this.start, this.end);
    slab.copied();
  }
}

class Slab {
  readonly buffer: Buffer;
  pos = 0;
  /** Spans encoded here and not yet copied into a request. */
  pending = 0;
  /** Spans no longer go here: the slab is free for reuse once none is pending. */
  sealed = false;
  private readonly free: Slab[];

  constructor(size: number, free: Slab[]) {
    this.buffer = Buffer.allocUnsafeSlow(size);
    this.free = free;
  }

  copied(): void {
    if (--this.pending === 0 && this.sealed) this.release();
  }

  release(): void {
    // A slab of a span larger than SLAB_SIZE, or one past the bound, is left to the GC.
    if (this.buffer.length !== SLAB_SIZE || this.free.length >= MAX_FREE_SLABS) return;
    this.pos = 0;
    this.sealed = false;
    this.free.push(this);
  }
}

/**
 * Where encoded spans are kept until their batch is serialized: outside the JS heap, in slabs
 * reused rather than allocated anew. A span that is never copied (dropped from a full queue, or
 * its export failed before it was serialized) keeps its slab from reuse; the GC frees it then.
 */
export class EncodedSpans {
  private readonly free: Slab[] = [];
  private current: Slab | undefined;

  /** Keeps the `length` bytes `source` starts with, as the span of `resource` and `scope`. */
  keep(source: Buffer, length: number, resource: Resource, scope: InstrumentationScope): EncodedSpan {
    let slab = this.current;
    if (!slab || slab.buffer.length - slab.pos < length) {
      if (slab) {
        slab.sealed = true;
        if (slab.pending === 0) slab.release();
      }
      const reused = length <= SLAB_SIZE ? this.free.pop() : undefined;
      slab = this.current = reused ?? new Slab(Math.max(SLAB_SIZE, length), this.free);
    }
    const start = slab.pos;
    source.copy(slab.buffer, start, 0, length);
    slab.pos += length;
    slab.pending++;
    return new EncodedSpan(slab, start, start + length, resource, scope);
  }
}
