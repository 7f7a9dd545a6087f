import { ROOT_CONTEXT, type Tracer, context, diag, propagation } from '@opentelemetry/api';
import type * as Amqplib from '@opentelemetry/instrumentation-amqplib';
import type { AmqplibInstrumentation, AmqplibInstrumentationConfig } from '@opentelemetry/instrumentation-amqplib';
import { leanPublish } from './amqplib-publish.ts';
import { importNow } from './import-now.ts';
import { leanAttributeTracer } from './sdk-span-attributes.ts';

// In link mode, instrumentation-amqplib starts the consumer span from an empty context, which
// drops the producer's baggage (saga.id and the like) along with its trace. Its consume patch is
// wrapped here so that the handler runs with the message's baggage restored. Wrapping its patch
// (rather than patching Channel#consume a second time) keeps the order right whichever of two
// module hooks would run first.

type OnMessage = (msg: { properties?: { headers?: Record<string, unknown> } } | null) => unknown;
type Consume = (this: unknown, queue: string, onMessage: OnMessage, options?: unknown) => unknown;
interface ConsumePatchInternals {
  getConsumePatch?: (moduleVersion: string | undefined, original: Consume) => Consume;
}

export function createAmqplibInstrumentation(config: AmqplibInstrumentationConfig): AmqplibInstrumentation {
  // Loaded with amqplib (instrumentations.ts), not at startup.
  const { AmqplibInstrumentation } = importNow<typeof Amqplib>('@opentelemetry/instrumentation-amqplib');
  const instrumentation = new AmqplibInstrumentation(config);
  // Its publish patches, for less work per message (amqplib-publish.ts).
  leanPublish(instrumentation);
  leanAttributes(instrumentation);
  if (!config.useLinksForConsume) return instrumentation;
  const internals = instrumentation as unknown as ConsumePatchInternals;
  const upstream = internals.getConsumePatch;
  if (typeof upstream !== 'function') {
    diag.warn('hopscope: instrumentation-amqplib changed; baggage is not restored for link-mode consumers');
    return instrumentation;
  }
  internals.getConsumePatch = (moduleVersion, original) => {
    const patched = upstream.call(instrumentation, moduleVersion, original);
    return function consume(this: unknown, queue, onMessage, options) {
      return patched.call(this, queue, restoreBaggage(onMessage), options);
    };
  };
  return instrumentation;
}

/**
 * Its publish and consume spans get their attributes written once they exist rather than
 * checked twice by startSpan() (sdk-span-attributes.ts): it reads its tracer through the
 * `tracer` getter, which returns the `_tracer` its tracer provider set.
 */
function leanAttributes(instrumentation: AmqplibInstrumentation): void {
  const internals = instrumentation as unknown as { _tracer?: Tracer };
  if (!('_tracer' in internals)) {
    diag.warn('hopscope: instrumentation-amqplib changed; its spans take the SDK attribute check');
    return;
  }
  Object.defineProperty(instrumentation, 'tracer', {
    get: () => (internals._tracer ? leanAttributeTracer(internals._tracer) : undefined),
  });
}

/** Runs the handler with the baggage of the message it is given (the span context stays as is). */
function restoreBaggage(onMessage: OnMessage): OnMessage {
  return function (this: unknown, msg) {
    const headers = msg?.properties?.headers;
    // Most messages carry no baggage: the extract (a traceparent parse, a context) is skipped then.
    const baggage =
      headers?.['baggage'] !== undefined
        ? propagation.getBaggage(propagation.extract(ROOT_CONTEXT, headers))
        : undefined;
    if (!baggage) return onMessage.call(this, msg);
    return context.with(propagation.setBaggage(context.active(), baggage), () => onMessage.call(this, msg));
  };
}
