import { type Context, propagation } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * Copies the listed baggage entries onto every span started under them
 * (HOPSCOPE_BAGGAGE_SPAN_ATTRIBUTES), so that a mark set once at the edge, such as
 * `synthetic=true` on load-generator traffic, is on every span of the trace: the collector's
 * tail sampling and a Jaeger search can then see it. The attribute key is the baggage key.
 */
export class BaggageSpanAttributesProcessor implements SpanProcessor {
  private readonly keys: readonly string[];

  constructor(keys: readonly string[]) {
    this.keys = keys;
  }

  onStart(span: Span, parentContext: Context): void {
    const baggage = propagation.getBaggage(parentContext);
    if (!baggage) return;
    for (const key of this.keys) {
      const value = baggage.getEntry(key)?.value;
      if (value !== undefined) span.setAttribute(key, value);
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
