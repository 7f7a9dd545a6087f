// The test's side of orders: an orders instance in a namespace of its own, the saga's
// participants played by the test (it consumes inventory's and payments' command queues and
// publishes the replies), a probe on the events exchange, and the orders database for rows.
import { HEADER_MESSAGE_TYPE, type RunningService, Topology, startService } from '@hopscope/demo-shared';
import {
  TEST_AMQP_URL,
  TEST_DATABASE_URL,
  dropNamespace,
  testEnv,
  uniqueNamespace,
} from '@hopscope/demo-shared/testing';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { orders } from '../src/app.ts';

export type Body = Record<string, unknown>;

export interface Received {
  type: string;
  body: Body;
  messageId: string;
}

/** Polls `read` until it returns something (not undefined), or fails naming `what`. */
export async function eventually<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export class Bus {
  readonly received: Received[] = [];
  private readonly topology: Topology;
  private readonly connection: ChannelModel;
  private readonly channel: Channel;

  private constructor(topology: Topology, connection: ChannelModel, channel: Channel) {
    this.topology = topology;
    this.connection = connection;
    this.channel = channel;
  }

  /** Plays inventory and payments (their command queues) and watches every event orders publishes. */
  static async open(namespace: string): Promise<Bus> {
    const connection = await amqp.connect(TEST_AMQP_URL);
    const channel = await connection.createChannel();
    const bus = new Bus(new Topology(namespace), connection, channel);
    const record = (msg: ConsumeMessage | null) => bus.record(msg);
    await channel.consume(bus.topology.queue('inventory.commands'), record, { noAck: true });
    await channel.consume(bus.topology.queue('payments.commands'), record, { noAck: true });
    const { queue } = await channel.assertQueue(`${namespace}.probe.${randomUUID()}`, {
      exclusive: true,
      autoDelete: true,
    });
    await channel.bindQueue(queue, bus.topology.exchange('events'), '#');
    await channel.consume(queue, record, { noAck: true });
    return bus;
  }

  /** Messages received so far of `type` about `orderId`. */
  all(type: string, orderId: string): Received[] {
    return this.received.filter((m) => m.type === type && m.body['orderId'] === orderId);
  }

  waitFor(type: string, orderId: string, timeoutMs?: number): Promise<Received> {
    return eventually(`${type} for ${orderId}`, () => Promise.resolve(this.all(type, orderId)[0]), timeoutMs);
  }

  /** Sends a message to orders as a participant's relay would; returns its message id. */
  publish(kind: 'commands' | 'events', type: string, body: Body, messageId: string = randomUUID()): string {
    this.channel.publish(this.topology.exchange(kind), type, Buffer.from(JSON.stringify(body)), {
      messageId,
      contentType: 'application/json',
      persistent: true,
      headers: { [HEADER_MESSAGE_TYPE]: type },
    });
    return messageId;
  }

  /** Answers a saga command (received) as its participant would. */
  reply(
    command: Received,
    reply: { ok: boolean; reason?: string; amountCents?: number; paymentId?: string },
    messageId?: string,
  ): string {
    const step = command.type.startsWith('inventory.') ? 'reserve-stock' : 'charge-payment';
    const phase = command.type === 'inventory.reserve' || command.type === 'payments.charge' ? 'execute' : 'compensate';
    const { sagaId, orderId } = command.body;
    return this.publish('commands', 'orders.saga-reply', { v: 1, sagaId, orderId, step, phase, ...reply }, messageId);
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }

  private record(msg: ConsumeMessage | null): void {
    if (!msg) return;
    const header = (msg.properties.headers ?? {})[HEADER_MESSAGE_TYPE] as unknown;
    this.received.push({
      type: typeof header === 'string' ? header : msg.fields.routingKey,
      body: JSON.parse(msg.content.toString()) as Body,
      messageId: String(msg.properties.messageId),
    });
  }
}

export interface Shop {
  ns: string;
  orders: RunningService;
  bus: Bus;
  db: pg.Pool;
  /** Stops orders and starts a new instance in the same namespace. */
  restart(): Promise<void>;
  /** Starts one more orders instance side by side (stopped at close). */
  addInstance(): Promise<RunningService>;
  close(): Promise<void>;
}

/** orders in a fresh namespace, with the test playing the participants. */
export async function openShop(env: Record<string, string> = {}): Promise<Shop> {
  const ns = uniqueNamespace();
  const started: RunningService[] = [];
  const start = async () => {
    const service = await startService(orders, testEnv(ns, env));
    started.push(service);
    await service.ready;
    return service;
  };
  let bus: Bus | undefined;
  let db: pg.Pool | undefined;
  try {
    const shop: Shop = {
      ns,
      orders: await start(),
      bus: (bus = await Bus.open(ns)),
      db: (db = new pg.Pool({ connectionString: TEST_DATABASE_URL.replace(/\/postgres$/, `/${ns}_orders`), max: 2 })),
      async restart() {
        await shop.orders.stop();
        shop.orders = await start();
      },
      addInstance: start,
      async close() {
        await closeAll();
      },
    };
    return shop;
  } catch (error) {
    await closeAll();
    throw error;
  }
  async function closeAll() {
    await bus?.close();
    await db?.end();
    for (const service of started) await service.stop();
    await dropNamespace(ns);
  }
}

export async function placeOrder(
  shop: Shop,
  options: { key?: string; customer?: string; items?: unknown } = {},
): Promise<{ status: number; body: Body }> {
  const response = await fetch(`${shop.orders.url}/orders`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': options.key ?? randomUUID(),
      'x-customer': options.customer ?? 'alice',
    },
    body: JSON.stringify({ items: options.items ?? [{ sku: 'espresso-beans', quantity: 2 }] }),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

export async function getOrder(shop: Shop, orderId: string): Promise<Body> {
  const response = await fetch(`${shop.orders.url}/orders/${orderId}`);
  return (await response.json()) as Body;
}

/** Waits until the order reaches `status`; returns it. */
export function waitForStatus(shop: Shop, orderId: string, status: string): Promise<Body> {
  return eventually(`order ${orderId} ${status}`, async () => {
    const order = await getOrder(shop, orderId);
    return order['status'] === status ? order : undefined;
  });
}

/** Plays inventory and payments agreeing to everything: the order ends confirmed. */
export async function confirm(shop: Shop, orderId: string): Promise<Body> {
  const reserve = await shop.bus.waitFor('inventory.reserve', orderId);
  shop.bus.reply(reserve, { ok: true, amountCents: 1800 });
  const charge = await shop.bus.waitFor('payments.charge', orderId);
  shop.bus.reply(charge, { ok: true, paymentId: `pay-${orderId}` });
  return waitForStatus(shop, orderId, 'confirmed');
}
