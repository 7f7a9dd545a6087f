// RabbitMQ unreachable, at startup and later, with a loopback TCP proxy in front of the real
// broker: orders waits instead of crash-looping and says so on /readyz; once up, an order
// accepted while the broker is gone is held by the outbox and its command goes out when the
// broker is back.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startService } from '@hopscope/demo-shared';
import { dropNamespace, eventually, testEnv, uniqueNamespace } from '@hopscope/demo-shared/testing';
import { TcpProxy } from '../../../instrumentation/test/helpers/tcp-proxy.ts';
import { orders } from '../src/app.ts';
import { Bus, placeOrder } from './harness.ts';

const ns = uniqueNamespace();
const proxy = new TcpProxy({ host: '127.0.0.1', port: 5672 });
const cleanup: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
  await proxy.close();
  await dropNamespace(ns);
});

async function readiness(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test('broker down at startup, then gone while serving: orders waits, says so, and loses nothing', async () => {
  // Take a free port for the proxy, then close it: the broker is "down" at that address.
  await proxy.open();
  await proxy.close();
  const service = await startService(orders, testEnv(ns, { AMQP_URL: `amqp://guest:guest@127.0.0.1:${proxy.port}` }));
  cleanup.push(() => service.stop());

  assert.equal((await fetch(`${service.url}/healthz`)).status, 200, 'alive while waiting');
  const waiting = await eventually('orders to report its database up and the broker down', async () => {
    const r = await readiness(service.url);
    return r.body['database'] === 'up' ? r : undefined;
  });
  assert.equal(waiting.status, 503);
  assert.equal(waiting.body['broker'], 'down');
  const early = await placeOrder({ orders: service });
  assert.equal(early.status, 503, 'nothing is accepted before the service can keep it');

  await proxy.open();
  await service.ready;
  assert.equal((await readiness(service.url)).status, 200);
  const bus = await Bus.open(ns);
  cleanup.push(() => bus.close());

  await proxy.close();
  await eventually('/readyz to report the broker down', async () =>
    (await readiness(service.url)).body['broker'] === 'down' ? true : undefined,
  );
  const placed = await placeOrder({ orders: service });
  assert.equal(placed.status, 202, 'an order is accepted while the broker is gone: the outbox holds it');
  const orderId = placed.body['orderId'] as string;

  await proxy.open();
  await bus.waitFor('inventory.reserve', orderId, 30_000);
  await eventually('orders ready again', async () =>
    (await readiness(service.url)).status === 200 ? true : undefined,
  );
});
