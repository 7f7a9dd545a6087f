// The test's side of the broker: send a message to the service as a producer would, and
// watch what the service publishes on a probe queue of the test's own.
import { setTimeout as sleep } from 'node:timers/promises';
import { HEADER_MESSAGE_TYPE } from './amqp-client.ts';
import { type QueueName, Topology } from './topology.ts';
import { TEST_AMQP_URL } from './testing.ts';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';

export interface Received {
  type: string;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
}

export class TestBroker {
  private readonly topology: Topology;
  private readonly connection: ChannelModel;
  private readonly channel: Channel;
  private readonly received: Received[] = [];

  private constructor(topology: Topology, connection: ChannelModel, channel: Channel) {
    this.topology = topology;
    this.connection = connection;
    this.channel = channel;
  }

  static async connect(namespace: string): Promise<TestBroker> {
    const connection = await amqp.connect(TEST_AMQP_URL);
    const channel = await connection.createChannel();
    return new TestBroker(new Topology(namespace), connection, channel);
  }

  /** Publishes a message as its producer's relay would (routing key and header = type); returns its message id. */
  publish(kind: 'commands' | 'events', type: string, body: unknown, messageId: string = randomUUID()): string {
    return this.publishRaw(kind, type, Buffer.from(JSON.stringify(body)), messageId);
  }

  /** Publishes any bytes under a type (a malformed message); returns its message id. */
  publishRaw(kind: 'commands' | 'events', type: string, content: Buffer, messageId: string = randomUUID()): string {
    this.channel.publish(this.topology.exchange(kind), type, content, {
      messageId,
      contentType: 'application/json',
      persistent: true,
      headers: { [HEADER_MESSAGE_TYPE]: type },
    });
    return messageId;
  }

  publishEvent(type: string, body: unknown, messageId?: string): string {
    return this.publish('events', type, body, messageId);
  }

  /** Binds an exclusive probe queue to an exchange for `types`: what the services publish lands here too. */
  async probe(kind: 'commands' | 'events', types: string[]): Promise<void> {
    const { queue } = await this.channel.assertQueue(`${this.topology.namespace}.probe.${randomUUID()}`, {
      exclusive: true,
      autoDelete: true,
    });
    for (const type of types) await this.channel.bindQueue(queue, this.topology.exchange(kind), type);
    await this.channel.consume(queue, (msg) => this.record(msg), { noAck: true });
  }

  probeEvents(types: string[]): Promise<void> {
    return this.probe('events', types);
  }

  /** Reads the service's dead-letter queue of `queue` (a probe on the DLQ itself). */
  async watchDeadLetters(queue: QueueName): Promise<void> {
    await this.channel.consume(this.topology.deadLetterQueue(queue), (msg) => this.record(msg), { noAck: true });
  }

  /** Takes the place of the service that consumes `queue` (e.g. a saga participant's commands): what arrives is recorded. */
  async consume(queue: QueueName): Promise<void> {
    await this.channel.consume(this.topology.queue(queue), (msg) => this.record(msg), { noAck: true });
  }

  /** Messages received so far that match. */
  all(type: string, match: (body: Record<string, unknown>) => boolean = () => true): Received[] {
    return this.received.filter((m) => m.type === type && match(m.body));
  }

  /** Waits for a message of `type` whose body matches. */
  waitFor(
    type: string,
    match: (body: Record<string, unknown>) => boolean = () => true,
    timeoutMs?: number,
  ): Promise<Received> {
    return eventually(`a ${type} message`, () => Promise.resolve(this.all(type, match)[0]), timeoutMs);
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }

  private record(msg: ConsumeMessage | null): void {
    if (!msg) return;
    const headers = (msg.properties.headers ?? {}) as Record<string, unknown>;
    const header = headers[HEADER_MESSAGE_TYPE];
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(msg.content.toString()) as Record<string, unknown>;
    } catch {
      body = { raw: msg.content.toString() };
    }
    this.received.push({ type: typeof header === 'string' ? header : msg.fields.routingKey, body, headers });
  }
}

/** Polls `read` until it returns something other than undefined. */
export async function eventually<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
