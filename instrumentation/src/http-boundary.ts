// Helpers for a service at the edge of the system (an API gateway): the W3C `traceresponse`
// header, so that whoever gets a response can open its trace, and a baggage trust boundary,
// so that baggage from outside never travels on as if the system had set it.
import { type Span, TraceFlags, context, diag, propagation, trace } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { safely } from './safely.ts';
import { RANDOM_TRACE_ID_FLAG } from './traceparent.ts';
import { activeTelemetry } from './telemetry-state.ts';

type Middleware = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

// The SERVER span of each incoming request, recorded when http-server-instrumentation.ts starts
// it: inside a middleware the active span may be one of express's layer spans instead
// (HOPSCOPE_EXPRESS_LAYER_SPANS=true). A property under a symbol of ours: a WeakMap entry per
// request costs more, and the request is garbage with its span.
const SERVER_SPAN = Symbol('hopscope.serverSpan');
type TracedRequest = IncomingMessage & { [SERVER_SPAN]?: Span };

export function recordServerSpan(span: Span, request: IncomingMessage): void {
  (request as TracedRequest)[SERVER_SPAN] = span;
}

/** The SERVER span of a request, if it was traced. */
function serverSpanOf(request: IncomingMessage): Span | undefined {
  return (request as TracedRequest)[SERVER_SPAN] ?? trace.getActiveSpan();
}

/**
 * Express/connect middleware that sets `traceresponse: 00-<trace-id>-<span-id>-<flags>` (W3C
 * Trace Context Level 2) on every response, from the request's SERVER span. Mount it first.
 */
export function traceResponse(): Middleware {
  return (request, response, next) => {
    safely('traceresponse header', () => {
      const spanContext = serverSpanOf(request)?.spanContext();
      if (!spanContext || !trace.isSpanContextValid(spanContext)) return;
      // Level 2: the sampled and the random flag, as the span's own traceparent would carry them.
      const flags = (spanContext.traceFlags & (TraceFlags.SAMPLED | RANDOM_TRACE_ID_FLAG))
        .toString(16)
        .padStart(2, '0');
      response.setHeader('traceresponse', `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`);
    });
    next();
  };
}

/**
 * Express/connect middleware for a trust boundary: the baggage a request came with is dropped,
 * and the rest of the request runs with only the entries `entriesFor(request)` returns (which
 * then travel to every downstream request and message). Entries whose keys are listed in
 * HOPSCOPE_BAGGAGE_SPAN_ATTRIBUTES are also set on the spans already started: the request's
 * SERVER span and the active one (express's layer span of this middleware, when layer spans
 * are on); mount it first.
 * A throwing `entriesFor` is reported through the OpenTelemetry diag logger and yields no
 * entries.
 */
export function baggageBoundary(
  entriesFor: (request: IncomingMessage) => Record<string, string> = () => ({}),
): Middleware {
  return (request, _response, next) => {
    let entries: Record<string, string> = {};
    try {
      entries = entriesFor(request);
    } catch (error) {
      diag.warn('hopscope: baggageBoundary entriesFor failed; the request runs without baggage', error);
    }
    const baggage = propagation.createBaggage(
      Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, { value: String(value) }])),
    );
    // The spans already started before the boundary set its entries: the request's SERVER span
    // and, with express layer spans on, the boundary's own layer span (the active one here). They were given
    // the caller's baggage at their start: every listed key is overwritten, with '' when the
    // boundary sets none, so that a caller cannot mark its own request (`synthetic=true`).
    const spanKeys = activeTelemetry()?.config.baggageSpanAttributes ?? [];
    for (const span of new Set([(request as TracedRequest)[SERVER_SPAN], trace.getActiveSpan()])) {
      for (const key of spanKeys) span?.setAttribute(key, entries[key] === undefined ? '' : String(entries[key]));
    }
    context.with(propagation.setBaggage(propagation.deleteBaggage(context.active()), baggage), () => next());
  };
}
