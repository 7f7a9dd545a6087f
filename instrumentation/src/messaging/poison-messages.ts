import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { type EventLogger, resolveEventLogger } from '../event-logger.ts';
import { resolveRegistry } from '../metrics/shared-metrics.ts';
import { safely } from '../safely.ts';
import { messagingMetrics } from './messaging-metrics.ts';

/** Headers the helper sets on messages it sends back or dead-letters. */
export const HEADER_ATTEMPTS = 'x-hopscope-attempts';
export const HEADER_DEAD_LETTER_REASON = 'x-hopscope-dead-letter-reason';
export const HEADER_DEAD_LETTER_ERROR = 'x-hopscope-dead-letter-error';
export const HEADER_ORIGINAL_QUEUE = 'x-hopscope-original-queue';

const MAX_REASON_LENGTH = 1000;

/** What the helper needs of an amqplib message and channel. */
export interface AmqpMessage {
  content: Buffer;
  fields: { redelivered: boolean };
  properties: { headers?: Record<string, unknown> };
}
export interface AmqpChannelLike<M extends AmqpMessage = AmqpMessage> {
  consume(queue: string, onMessage: (msg: M | null) => void): Promise<unknown>;
  sendToQueue(queue: string, content: Buffer, options?: object): boolean;
  assertQueue(queue: string, options?: object): Promise<unknown>;
  ack(msg: M): void;
  waitForConfirms?(): Promise<void>;
}

export interface PoisonMessageOptions {
  /** Attempts before a message is dead-lettered (1 = no retry). @default 5 */
  maxAttempts?: number;
  /** @default `${queue}.dead-letter` */
  deadLetterQueue?: string;
  registry?: Registry;
  logger?: EventLogger;
}

/**
 * Consumes `queue` with bounded retries: a message whose handler fails goes back to the queue
 * with its attempt count in a header; after `maxAttempts` it goes to the dead-letter queue
 * with the reason in its headers. Nothing is lost: the original is acked only after the copy
 * is published (and confirmed, on a confirm channel).
 */
export async function consumeWithRetries<M extends AmqpMessage>(
  channel: AmqpChannelLike<M>,
  queue: string,
  handler: (msg: M) => Promise<void>,
  options: PoisonMessageOptions = {},
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new TypeError(`maxAttempts must be a whole number ≥ 1, got ${maxAttempts}`);
  const deadLetterQueue = options.deadLetterQueue ?? `${queue}.dead-letter`;
  const metrics = messagingMetrics(resolveRegistry(options.registry));
  const eventLogger = resolveEventLogger(options.logger);
  // The application's logger may throw. Its calls below run in promise callbacks that nothing
  // awaits, where a throw is an unhandled rejection that ends the process, or (the dead-letter
  // line) before the ack, where it would leave a dead-lettered message to be delivered again.
  const warn = (fields: object, message: string) =>
    safely('poison-message log line', () => eventLogger.warn({ queue, ...fields }, message));
  await channel.assertQueue(deadLetterQueue, { durable: true });

  // The channel can close while a handler runs (a broker restart): acking then throws. The
  // message is redelivered on the next connection, so the throw is dropped, never left as an
  // unhandled rejection that would end the process.
  const ack = (msg: M) => {
    try {
      channel.ack(msg);
    } catch (error) {
      warn({ err: error }, 'could not ack a message (channel closed); the broker redelivers it');
    }
  };
  const settle = async (msg: M, error: unknown) => {
    const headers = msg.properties.headers ?? {};
    const previous = Number(headers[HEADER_ATTEMPTS]);
    const attempts = (Number.isInteger(previous) && previous > 0 ? previous : 0) + 1;
    const err = error instanceof Error ? error : new Error(String(error));
    const span = trace.getActiveSpan();
    span?.recordException(err);
    span?.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    const properties = {
      ...msg.properties,
      headers: { ...headers, [HEADER_ATTEMPTS]: attempts } as Record<string, unknown>,
    };
    if (attempts < maxAttempts) {
      channel.sendToQueue(queue, msg.content, properties);
      metrics.retried.inc({ messaging_destination_name: queue });
      span?.addEvent('message.retry', { 'hopscope.messaging.attempt': attempts });
    } else {
      properties.headers[HEADER_DEAD_LETTER_REASON] = err.message.slice(0, MAX_REASON_LENGTH);
      properties.headers[HEADER_DEAD_LETTER_ERROR] = err.name;
      properties.headers[HEADER_ORIGINAL_QUEUE] = queue;
      channel.sendToQueue(deadLetterQueue, msg.content, properties);
      metrics.deadLettered.inc({ messaging_destination_name: queue, error_type: err.name });
      span?.addEvent('message.dead_lettered', { 'hopscope.messaging.attempt': attempts });
      warn({ dead_letter_queue: deadLetterQueue, attempts, reason: err.message }, 'message dead-lettered');
    }
    await channel.waitForConfirms?.();
    ack(msg);
  };

  await channel.consume(queue, (msg) => {
    if (!msg) return;
    void handler(msg).then(
      () => ack(msg),
      (error: unknown) =>
        settle(msg, error).catch((settleError: unknown) => {
          // The copy could not be sent: leave the original unacked, the broker redelivers it.
          warn({ err: settleError }, 'could not retry or dead-letter a failed message');
        }),
    );
  });
}
