import { TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { isScrapeTrace } from './scrape-requests.ts';

/**
 * Keeps the spans of a scrape recognised while it was traced (scrape-requests.ts) from export:
 * registered before the exporting processor, it clears their sampled flag as they end, which
 * is what that processor reads to decide.
 */
export class ScrapeSpanFilter implements SpanProcessor {
  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    const spanContext = span.spanContext();
    if (isScrapeTrace(spanContext.traceId)) spanContext.traceFlags &= ~TraceFlags.SAMPLED;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
