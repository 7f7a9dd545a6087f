import { type Context, trace } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { RANDOM_TRACE_ID_FLAG } from './traceparent.ts';

/**
 * Trace Context Level 2's random flag on every span. The SDK's tracer writes only the sampled
 * bit into a new span's flags, so without this the flag is never sent: not for the trace ids it
 * draws itself (RandomIdGenerator, all 16 bytes random: the flag SHOULD be set) nor for a trace
 * continued from a caller that set it (where it MUST be kept). The span context is the one the
 * span hands out, so setting the bit here, before anyone can read it, is what every propagator,
 * log line and exporter sees; the sampled bit is left as the sampler set it.
 */
export class RandomTraceFlagProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const spanContext = span.spanContext();
    const parent = trace.getSpanContext(parentContext);
    const continued = parent !== undefined && parent.traceId === spanContext.traceId;
    const random = continued ? parent.traceFlags & RANDOM_TRACE_ID_FLAG : RANDOM_TRACE_ID_FLAG;
    spanContext.traceFlags = (spanContext.traceFlags & ~RANDOM_TRACE_ID_FLAG) | random;
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
