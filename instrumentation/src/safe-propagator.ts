import {
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  diag,
  isSpanContextValid,
  trace,
} from '@opentelemetry/api';
import { W3CBaggagePropagator, isTracingSuppressed } from '@opentelemetry/core';
import { MAX_TRACEPARENT_LENGTH, formatTraceparent, parseTraceparent } from './traceparent.ts';
import { MAX_TRACESTATE_INPUT_LENGTH, parseTracestate } from './tracestate.ts';

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
const BAGGAGE = 'baggage';
// The W3C Baggage limit; traceparent and tracestate bring their own (traceparent.ts, tracestate.ts).
const MAX_BAGGAGE_LENGTH = 8192;

/**
 * W3C Trace Context (Level 1 and 2, parsed here to the letter: future versions continued,
 * tracestate validated and truncated, the random flag kept) + W3C Baggage, hardened for carriers
 * we do not control: AMQP headers can hold numbers, buffers, tables or arrays, and any header
 * can be oversized or hostile. Whatever arrives, extraction either yields a valid parent or
 * leaves the context as it was, so the request or message starts a new trace and is served.
 */
export class SafePropagator implements TextMapPropagator {
  private readonly baggage = new W3CBaggagePropagator();

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      injectTraceContext(context, carrier, setter);
      this.baggage.inject(context, carrier, setter);
    } catch (error) {
      diag.debug('hopscope: trace context injection failed', error);
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    if (carrier === null || typeof carrier !== 'object') return context;
    try {
      const withParent = extractTraceContext(context, carrier, getter);
      // Most carriers (every AMQP message, most requests) carry no baggage: the getter made
      // for the baggage propagator would be the one allocation left on their path.
      const baggage: unknown = getter.get(carrier, BAGGAGE);
      if (baggage === undefined || baggage === null) return withParent;
      return this.baggage.extract(withParent, carrier, baggageOnly(getter));
    } catch (error) {
      diag.debug('hopscope: ignored unreadable trace context', error);
      return context;
    }
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE, ...this.baggage.fields()];
  }
}

function injectTraceContext(context: Context, carrier: unknown, setter: TextMapSetter): void {
  const spanContext = trace.getSpanContext(context);
  if (!spanContext || !isSpanContextValid(spanContext) || isTracingSuppressed(context)) return;
  setter.set(carrier, TRACEPARENT, formatTraceparent(spanContext));
  const tracestate = spanContext.traceState?.serialize();
  if (tracestate) setter.set(carrier, TRACESTATE, tracestate);
}

/** "If the vendor failed to parse traceparent, it MUST NOT attempt to parse tracestate." */
function extractTraceContext(context: Context, carrier: unknown, getter: TextMapGetter): Context {
  const traceparent = onlyValue(getter.get(carrier, TRACEPARENT));
  const parent = traceparent === undefined ? undefined : parseTraceparent(traceparent);
  if (!parent) return context;
  const tracestate = joinedValues(getter.get(carrier, TRACESTATE), MAX_TRACESTATE_INPUT_LENGTH);
  const traceState = tracestate === undefined ? undefined : parseTracestate(tracestate);
  // Built field by field: this runs for every message consumed, and spreads cost an object each.
  const spanContext: SpanContext = {
    traceId: parent.traceId,
    spanId: parent.spanId,
    traceFlags: parent.traceFlags,
    isRemote: true,
  };
  if (traceState) spanContext.traceState = traceState;
  return trace.setSpanContext(context, spanContext);
}

/** A traceparent sent twice is not one trace context: the harness and the spec restart then. */
function onlyValue(raw: unknown): string | undefined {
  let value = raw;
  if (Array.isArray(raw)) {
    if (raw.length !== 1) return undefined;
    value = raw[0];
  }
  const text = asText(value);
  return text !== undefined && text.length <= MAX_TRACEPARENT_LENGTH ? text : undefined;
}

/** Several tracestate fields are one list, combined with `,` (RFC 9110 §5.3). */
function joinedValues(raw: unknown, limit: number): string | undefined {
  if (!Array.isArray(raw)) {
    const text = asText(raw);
    return text !== undefined && text.length <= limit ? text : undefined;
  }
  const values = (raw as unknown[]).map(asText);
  if (values.length === 0 || values.some((value) => value === undefined)) return undefined;
  const joined = values.join(',');
  return joined.length <= limit ? joined : undefined;
}

function asText(value: unknown): string | undefined {
  const text = Buffer.isBuffer(value) ? value.toString('latin1') : value;
  return typeof text === 'string' ? text : undefined;
}

/** Baggage as before: the first value, a string, within the spec's size. */
function baggageOnly(getter: TextMapGetter): TextMapGetter {
  return {
    keys: (carrier) => getter.keys(carrier),
    get(carrier, key) {
      const value = getter.get(carrier, key) as unknown;
      const text = asText(Array.isArray(value) ? (value as unknown[])[0] : value);
      if (key.toLowerCase() !== BAGGAGE) return text;
      return text !== undefined && text.length <= MAX_BAGGAGE_LENGTH ? text : undefined;
    },
  };
}
