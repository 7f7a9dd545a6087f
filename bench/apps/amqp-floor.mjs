// The RabbitMQ floor: amqp-loop.mjs run with this module preloaded (`--import`), which gives
// its messages the full variant's telemetry written by hand for this one loop, with nothing
// general, as a lower bound on what that telemetry costs on this machine: a PRODUCER span per
// publish, ended at the broker's confirm, its context in a `traceparent` header; a CONSUMER span
// per delivery, the producer's child, held in an AsyncLocalStorage while the handler runs and
// ended at the ack; the messaging metrics and the OTLP export of amqp-floor-export.mjs. No
// OpenTelemetry API or SDK, sampler, span processors, baggage, attribute checks, metrics endpoint
// or error handling: not a product, a yardstick, as express-json-floor.mjs is for the HTTP stages.
import { AsyncLocalStorage } from 'node:async_hooks';
import { instrumentChannels } from './amqp-floor-channels.mjs';
import { CONSUMER, PRODUCER, recordSpan } from './amqp-floor-export.mjs';
import { randomHex } from './floor-otlp.mjs';

const now = () => performance.timeOrigin + performance.now();
const context = new AsyncLocalStorage();

instrumentChannels({
  startProducer(exchange, routingKey, headers) {
    const parent = context.getStore();
    const span = {
      kind: PRODUCER,
      name: `publish ${exchange || '<default>'}`,
      destination: exchange,
      routingKey,
      traceId: parent?.traceId ?? randomHex(16),
      spanId: randomHex(8),
      parentSpanId: parent?.spanId,
      start: now(),
    };
    headers.traceparent = `00-${span.traceId}-${span.spanId}-01`;
    return span;
  },
  startConsumer(queue, msg) {
    const traceparent = msg.properties.headers?.traceparent;
    const valid = typeof traceparent === 'string' && traceparent.length === 55;
    const { exchange, routingKey, redelivered } = msg.fields;
    return {
      kind: CONSUMER,
      name: `${queue} process`,
      destination: exchange,
      routingKey,
      redelivered,
      traceId: valid ? traceparent.slice(3, 35) : randomHex(16),
      spanId: randomHex(8),
      parentSpanId: valid ? traceparent.slice(36, 52) : undefined,
      start: now(),
    };
  },
  run: (span, handler, msg) => context.run(span, handler, msg),
  end(span) {
    span.end = now();
    recordSpan(span);
  },
});
