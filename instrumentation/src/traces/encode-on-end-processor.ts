// Encodes each sampled span as it ends, and queues its bytes for export instead of the span.
//
// The batch processor holds every span it queues until the batch is full (512) and its export
// answered: under load several hundred spans, with their attribute maps, are alive at every
// young-generation collection, which copies them, then promotes them, and grows the young
// generation (issue 11: RSS, p99 latency). Encoded as they end, what waits is a small object
// per span and its bytes, outside the JS heap. The batch processor still does the queueing,
// its bound and drop counting, the timer, the export timeout, flush and shutdown.
//
// Only in front of the http/protobuf exporter, whose serializer copies the bytes in
// (otlp-span-serializer.ts); other exporters get the spans.
import { type Context, TraceFlags, diag } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { EncodedSpan } from './encoded-span.ts';
import { OtlpSpanSerializer } from './otlp-span-serializer.ts';

export class EncodeOnEndProcessor implements SpanProcessor {
  private readonly serializer = new OtlpSpanSerializer();
  private readonly batch: SpanProcessor;

  /** `batch`: the batch processor in front of the http/protobuf exporter. */
  constructor(batch: SpanProcessor) {
    this.batch = batch;
  }

  onStart(span: Span, parentContext: Context): void {
    this.batch.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    // The batch processor would drop an unsampled span: it is not worth encoding.
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    let encoded: EncodedSpan;
    try {
      encoded = this.serializer.encode(span);
    } catch (error) {
      // Never into the application's span.end(): the span goes to export as it is, and is
      // serialized (or fails) with its batch.
      diag.warn('hopscope: a span could not be encoded as it ended; it is exported as is', error);
      this.batch.onEnd(span);
      return;
    }
    this.batch.onEnd(encoded as unknown as ReadableSpan);
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.batch.shutdown();
  }
}
