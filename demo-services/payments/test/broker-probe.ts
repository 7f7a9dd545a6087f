// Test helper: what a user of the broker sees. Sends messages to a namespace's exchanges as a
// publisher would (routing key and x-message-type = the type, a message id), and listens to
// what the service publishes on a temporary queue of its own.
import { HEADER_MESSAGE_TYPE, type Message, type MessageType, exchangeOf } from '@hopscope/demo-shared';
import { TEST_AMQP_URL } from '@hopscope/demo-shared/testing';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Received {
  type: string;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
}

export class BrokerProbe {
  readonly received: Received[] = [];
  private readonly namespace: string;
  private connection: ChannelModel | undefined;
  private channel: Channel | undefined;

  constructor(namespace: string) {
    this.namespace = namespace;
  }

  /** Listens to these message types (on the exchange each is published to). */
  async listen(types: readonly MessageType[]): Promise<void> {
    this.connection = await amqp.connect(TEST_AMQP_URL);
    this.channel = await this.connection.createChannel();
    const { queue } = await this.channel.assertQueue(`${this.namespace}.probe.${randomUUID()}`, {
      exclusive: true,
      autoDelete: true,
    });
    for (const type of types) await this.channel.bindQueue(queue, `${this.namespace}.${exchangeOf(type)}`, type);
    await this.channel.consume(
      queue,
      (msg: ConsumeMessage | null) => {
        if (!msg) return;
        this.received.push({
          type: msg.fields.routingKey,
          body: JSON.parse(msg.content.toString()) as Record<string, unknown>,
          headers: msg.properties.headers ?? {},
        });
      },
      { noAck: true },
    );
  }

  /** Publishes a message as the services do; returns its message id. */
  send<T extends MessageType>(type: T, body: Message<T>, messageId: string = randomUUID()): string {
    this.sendRaw(type, Buffer.from(JSON.stringify(body)), messageId);
    return messageId;
  }

  /** Publishes any bytes under a type (for malformed messages). */
  sendRaw(type: MessageType, content: Buffer, messageId: string = randomUUID()): void {
    this.channel!.publish(`${this.namespace}.${exchangeOf(type)}`, type, content, {
      messageId,
      persistent: true,
      contentType: 'application/json',
      headers: { [HEADER_MESSAGE_TYPE]: type },
    });
  }

  /** Waits for a received message matching `match`. */
  async waitFor(match: (m: Received) => boolean, what: string, timeoutMs = 10_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(25);
    }
  }

  /** Waits for one message on a queue of the namespace (e.g. a dead-letter queue). */
  async getFromQueue(queue: string, what: string, timeoutMs = 15_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const msg = await this.channel!.get(queue, { noAck: true });
      if (msg) {
        return {
          type: msg.fields.routingKey,
          body: { raw: msg.content.toString() },
          headers: msg.properties.headers ?? {},
        };
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }

  async close(): Promise<void> {
    await this.connection?.close().catch(() => undefined);
  }
}
