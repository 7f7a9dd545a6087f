import { type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter, diag } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';

// Bounds from the W3C specs: a traceparent is 55 characters, tracestate holds at most 32
// members (512 characters is the size vendors must keep), baggage at most 8192 bytes.
const MAX_HEADER_LENGTH: Record<string, number> = { traceparent: 55, tracestate: 512, baggage: 8192 };

/**
 * W3C trace context + baggage, hardened for carriers we do not control: AMQP headers can hold
 * numbers, buffers, tables or arrays, and any header can be oversized or hostile. Whatever
 * arrives, extraction either yields a valid parent or leaves the context as it was, so the
 * request or message starts a new trace and is served normally.
 */
export class SafePropagator implements TextMapPropagator {
  private readonly inner = new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  });

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      this.inner.inject(context, carrier, setter);
    } catch (error) {
      diag.debug('hopscope: trace context injection failed', error);
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    if (carrier === null || typeof carrier !== 'object') return context;
    try {
      return this.inner.extract(context, carrier, stringsOnly(getter));
    } catch (error) {
      diag.debug('hopscope: ignored unreadable trace context', error);
      return context;
    }
  }

  fields(): string[] {
    return this.inner.fields();
  }
}

function stringsOnly(getter: TextMapGetter): TextMapGetter {
  return {
    keys: (carrier) => getter.keys(carrier),
    get(carrier, key) {
      const value = getter.get(carrier, key) as unknown;
      const first = Array.isArray(value) ? (value as unknown[])[0] : value;
      const text = Buffer.isBuffer(first) ? first.toString('latin1') : first;
      if (typeof text !== 'string') return undefined;
      const limit = MAX_HEADER_LENGTH[key.toLowerCase()];
      return limit !== undefined && text.length > limit ? undefined : text;
    },
  };
}
