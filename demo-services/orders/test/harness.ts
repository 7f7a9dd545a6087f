// The test's side of orders: an orders instance in a namespace of its own, the saga's
// participants played by the test (it consumes inventory's and payments' command queues and
// publishes the replies), a probe on the events exchange, and the orders database for rows.
import { type RunningService, startService } from '@hopscope/demo-shared';
import {
  type Received,
  TestBroker,
  dropNamespace,
  eventually,
  testDatabase,
  testEnv,
  uniqueNamespace,
} from '@hopscope/demo-shared/testing';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { orders } from '../src/app.ts';

export type Body = Record<string, unknown>;

/** The broker as orders sees it, about one order at a time. */
export class Bus {
  private readonly broker: TestBroker;

  private constructor(broker: TestBroker) {
    this.broker = broker;
  }

  /** Plays inventory and payments (their command queues) and watches every event orders publishes. */
  static async open(namespace: string): Promise<Bus> {
    const broker = await TestBroker.connect(namespace);
    const bus = new Bus(broker);
    try {
      await broker.consume('inventory.commands');
      await broker.consume('payments.commands');
      await broker.probeEvents(['#']);
      return bus;
    } catch (error) {
      await bus.close();
      throw error;
    }
  }

  /** Messages received so far of `type` about `orderId`. */
  all(type: string, orderId: string): Received[] {
    return this.broker.all(type, (body) => body['orderId'] === orderId);
  }

  waitFor(type: string, orderId: string, timeoutMs?: number): Promise<Received> {
    return this.broker.waitFor(type, (body) => body['orderId'] === orderId, timeoutMs);
  }

  /** Sends a message to orders as a participant's relay would; returns its message id. */
  publish(kind: 'commands' | 'events', type: string, body: Body, messageId?: string): string {
    return this.broker.publish(kind, type, body, messageId);
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

  close(): Promise<void> {
    return this.broker.close();
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
      db: (db = testDatabase(ns, 'orders')),
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
  shop: Pick<Shop, 'orders'>,
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
