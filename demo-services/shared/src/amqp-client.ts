// The AMQP adapter every demo service uses to receive messages: one connection, the whole
// topology declared on connect, consumers with contract validation and bounded retries (the
// package's poison-message handling dead-letters what keeps failing, with the reason). When
// the broker goes away it reconnects with backoff and consumes again; /readyz reports it.
// Services never publish directly: they write to their outbox (see publisher.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { consumeWithRetries } from '@hopscope/instrumentation/messaging';
import type { FaultBoard } from './chaos/fault-board.ts';
import { applyMessageFaults } from './chaos/message-faults.ts';
import { ContractError, type Message, type MessageType, isMessageType, parseMessage } from './contracts.ts';
import type { Log } from './log.ts';
import { retryForever } from './retry-forever.ts';
import { isTransient } from './transient-errors.ts';
import { QUEUES, type QueueName, Topology } from './topology.ts';

/** The header the publisher sets to the message type: retries re-send to the queue itself, losing the routing key. */
export const HEADER_MESSAGE_TYPE = 'x-message-type';

export interface MessageMeta {
  messageId: string;
  type: MessageType;
  redelivered: boolean;
}

export type Handlers = { [T in MessageType]?: (body: Message<T>, meta: MessageMeta) => Promise<void> };

export interface AmqpClientOptions {
  url: string;
  topology: Topology;
  log: Log;
  /** Messages in flight per consumer. @default 16 */
  prefetch?: number;
  /** Attempts before a failing message is dead-lettered. @default 3 */
  maxAttempts?: number;
  /** The chaos knobs applied before every handler (messages.*, slow-consumer). */
  faults?: FaultBoard;
}

export class AmqpClient {
  private connection: ChannelModel | undefined;
  private readonly consumers = new Map<QueueName, Handlers>();
  private stopping = false;
  private connecting: Promise<void> | undefined;

  private readonly options: AmqpClientOptions;

  constructor(options: AmqpClientOptions) {
    this.options = options;
  }

  get connected(): boolean {
    return this.connection !== undefined;
  }

  /** Registers the handlers of one queue; they start with the next (or the current) connection. */
  consume(queue: QueueName, handlers: Handlers): void {
    this.consumers.set(queue, handlers);
  }

  /** Connects (waiting while the broker is down), declares the topology, starts the consumers. */
  start(): Promise<void> {
    this.stopping = false;
    this.connecting ??= retryForever('RabbitMQ', this.options.log, () => this.connectOnce()).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close().catch(() => undefined);
  }

  private async connectOnce(): Promise<void> {
    const connection = await amqp.connect(this.options.url, { timeout: 5000 });
    try {
      const channel = await connection.createConfirmChannel();
      // A channel the broker closes (a failed ack, a deleted queue) stops its consumers while
      // the connection stays up: close the connection too, so that the reconnect path restores them.
      channel.on('error', (error: Error) => this.options.log.warn({ err: error }, 'RabbitMQ channel error'));
      channel.on('close', () => {
        if (this.connection === connection && !this.stopping) void connection.close().catch(() => undefined);
      });
      await declareTopology(channel, this.options.topology);
      await channel.prefetch(this.options.prefetch ?? 16);
      for (const [queue, handlers] of this.consumers) await this.startConsumer(channel, queue, handlers);
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
    // amqplib emits 'error' before 'close'; without a listener an error would crash the process.
    connection.on('error', (error: Error) => this.options.log.warn({ err: error }, 'RabbitMQ connection error'));
    connection.on('close', () => {
      if (this.connection !== connection) return;
      this.connection = undefined;
      if (this.stopping) return;
      this.options.log.warn('RabbitMQ connection lost; reconnecting');
      void this.start();
    });
    this.connection = connection;
  }

  private async startConsumer(channel: ConfirmChannel, queue: QueueName, handlers: Handlers): Promise<void> {
    const { topology, log } = this.options;
    await consumeWithRetries(
      channel,
      topology.queue(queue),
      async (msg: ConsumeMessage) => {
        const type = messageType(msg);
        const handler = handlers[type] as ((body: unknown, meta: MessageMeta) => Promise<void>) | undefined;
        if (!handler) throw new ContractError(`${topology.queue(queue)} has no handler for ${type}`, '');
        const messageId = msg.properties.messageId as unknown;
        if (typeof messageId !== 'string' || messageId === '') throw new ContractError(`${type}: no message id`, '');
        const body = parseMessage(type, msg.content);
        if (this.options.faults) await applyMessageFaults(this.options.faults);
        await this.untilNotTransient(channel, type, () =>
          handler(body, { messageId, type, redelivered: msg.fields.redelivered }),
        );
      },
      { maxAttempts: this.options.maxAttempts ?? 3, deadLetterQueue: topology.deadLetterQueue(queue), logger: log },
    );
  }

  /**
   * Runs a handler again, with backoff, while it fails because a dependency is unreachable
   * (the message is fine; see transient-errors.ts). Gives up when the channel it came on is gone
   * (the broker redelivers the message to the next connection) or the service stops.
   */
  private async untilNotTransient(channel: ConfirmChannel, type: MessageType, run: () => Promise<void>): Promise<void> {
    let delayMs = 250;
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        const current = this.connection?.connection === channel.connection;
        if (!isTransient(error) || !current || this.stopping) throw error;
        if (attempt === 1 || attempt % 10 === 0) {
          this.options.log.warn({ err: error, type, attempt }, 'message handler waits for a dependency; retrying');
        }
        await sleep(delayMs * (0.5 + Math.random() / 2));
        delayMs = Math.min(10_000, delayMs * 2);
      }
    }
  }
}

function messageType(msg: ConsumeMessage): MessageType {
  const header = msg.properties.headers?.[HEADER_MESSAGE_TYPE] as unknown;
  const type = typeof header === 'string' ? header : msg.fields.routingKey;
  if (!isMessageType(type)) throw new ContractError(`unknown message type ${JSON.stringify(type).slice(0, 80)}`, '');
  return type;
}

/** Declares both exchanges and every queue with its bindings (all durable). */
async function declareTopology(channel: ConfirmChannel, topology: Topology): Promise<void> {
  for (const kind of ['commands', 'events'] as const) {
    await channel.assertExchange(topology.exchange(kind), 'topic', { durable: true });
  }
  for (const [name, spec] of Object.entries(QUEUES) as Array<[QueueName, (typeof QUEUES)[QueueName]]>) {
    const queue = topology.queue(name);
    await channel.assertQueue(queue, { durable: true });
    await channel.assertQueue(topology.deadLetterQueue(name), { durable: true });
    for (const key of spec.bindings) await channel.bindQueue(queue, topology.exchange(spec.exchange), key);
  }
}
