// The RabbitMQ floor on the OpenTelemetry SDK: amqp-floor.mjs with its spans made by the SDK's
// tracer (@opentelemetry/sdk-trace, the package's version, every span sampled) and carried by the
// API's context (AsyncLocalStorage context manager) and W3C propagator, as the package's are; the
// same metrics and export (amqp-floor-export.mjs), from a span processor's onEnd. Set beside
// amqp-floor.mjs, it shows what composing the SDK costs before any instrumentation's own code.
import { ROOT_CONTEXT, SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { instrumentChannels } from './amqp-floor-channels.mjs';
import { CONNECTION, CONSUMER, PRODUCER, recordSpan } from './amqp-floor-export.mjs';

const CONNECTION_ATTRIBUTES = Object.fromEntries(CONNECTION);
/** instrumentation-amqplib's attributes, a consumer's two more passed as `more`. */
const attributes = (exchange, routingKey, more) => ({
  ...CONNECTION_ATTRIBUTES,
  'messaging.system': 'rabbitmq',
  'messaging.destination': exchange,
  'messaging.destination_kind': 'topic',
  'messaging.rabbitmq.routing_key': routingKey,
  ...more,
});
const millis = ([seconds, nanos]) => seconds * 1000 + nanos / 1e6;

context.setGlobalContextManager(new AsyncLocalStorageContextManager());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
const recorder = {
  onStart() {},
  onEnd(span) {
    const { traceId, spanId } = span.spanContext();
    const a = span.attributes;
    recordSpan({
      kind: span.kind === SpanKind.PRODUCER ? PRODUCER : CONSUMER,
      name: span.name,
      destination: a['messaging.destination'],
      routingKey: a['messaging.rabbitmq.routing_key'],
      redelivered: a['messaging.rabbitmq.message.redelivered'],
      traceId,
      spanId,
      parentSpanId: span.parentSpanContext?.spanId,
      start: millis(span.startTime),
      end: millis(span.endTime),
    });
  },
  forceFlush: async () => {},
  shutdown: async () => {},
};
const tracer = new TracerProvider({ spanProcessors: [recorder] }).getTracer('floor');

instrumentChannels({
  startProducer(exchange, routingKey, headers) {
    const span = tracer.startSpan(`publish ${exchange || '<default>'}`, {
      kind: SpanKind.PRODUCER,
      attributes: attributes(exchange, routingKey),
    });
    propagation.inject(trace.setSpan(context.active(), span), headers);
    return span;
  },
  startConsumer(queue, msg) {
    const { exchange, routingKey, redelivered } = msg.fields;
    const parent = propagation.extract(ROOT_CONTEXT, msg.properties.headers ?? {});
    return tracer.startSpan(
      `${queue} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: attributes(exchange, routingKey, {
          'messaging.operation': 'process',
          'messaging.rabbitmq.message.redelivered': redelivered,
        }),
      },
      parent,
    );
  },
  run: (span, handler, msg) => context.with(trace.setSpan(context.active(), span), handler, undefined, msg),
  end: (span) => span.end(),
});
