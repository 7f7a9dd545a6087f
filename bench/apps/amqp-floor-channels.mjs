// The amqplib patches both RabbitMQ floors share (amqp-floor.mjs, amqp-floor-sdk.mjs), for the
// one loop of amqp-loop.mjs: a confirmed publish and a delivery acked in its handler. Each floor
// says how its spans start, run and end; they end at the broker's confirm and at the ack.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const SPAN = Symbol('floor span');
// The classes the loop's channels are made of (amqplib exports only its API, so by file path).
const require = createRequire(import.meta.url);
const { Channel, ConfirmChannel } = require(join(dirname(require.resolve('amqplib')), 'lib/channel_model.js'));

/**
 * tracing.startProducer(exchange, routingKey, headers): the PRODUCER span, its context written
 * into headers. tracing.startConsumer(queue, msg): the CONSUMER span, the producer's child.
 * tracing.run(span, handler, msg): the handler with the span current. tracing.end(span).
 */
export function instrumentChannels(tracing) {
  const publish = ConfirmChannel.prototype.publish;
  ConfirmChannel.prototype.publish = function (exchange, routingKey, content, options, callback) {
    options = { ...options, headers: { ...options?.headers } };
    const span = tracing.startProducer(exchange, routingKey, options.headers);
    return publish.call(this, exchange, routingKey, content, options, (err, ok) => {
      tracing.end(span);
      callback?.(err, ok);
    });
  };

  const consume = Channel.prototype.consume;
  Channel.prototype.consume = function (queue, handler, options) {
    const traced = (msg) => {
      if (msg === null) return handler(msg);
      const span = tracing.startConsumer(queue, msg);
      msg[SPAN] = span;
      tracing.run(span, handler, msg);
    };
    return consume.call(this, queue, traced, options);
  };

  const ack = Channel.prototype.ack;
  Channel.prototype.ack = function (message, allUpTo) {
    const span = message[SPAN];
    if (span) tracing.end(span);
    return ack.call(this, message, allUpTo);
  };
}
