// The gateway in front of the REAL shop (every service in-process, real PostgreSQL and
// RabbitMQ): an order placed through it reaches `confirmed` with a scheduled shipment, the
// composed answer is the same whatever the polling moment (write model first, read model
// later), a cancellation goes through and ends `cancelled`, and an order beyond the stock is
// cancelled by compensation.
import { type RunningService, type ServiceDefinition, startService } from '@hopscope/demo-shared';
import { dropNamespace, testEnv, uniqueNamespace } from '@hopscope/demo-shared/testing';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { bank } from '../../bank/src/app.ts';
import { inventory } from '../../inventory/src/app.ts';
import { notifications } from '../../notifications/src/app.ts';
import { orderView } from '../../order-view/src/app.ts';
import { orders } from '../../orders/src/app.ts';
import { payments } from '../../payments/src/app.ts';
import { shipping } from '../../shipping/src/app.ts';
import { type JsonResponse, call, signIn, startGateway } from './helpers.ts';

const ns = uniqueNamespace();
const running: RunningService[] = [];
let gateway: RunningService;
let alice: string;

async function start(definition: ServiceDefinition, env: Record<string, string> = {}): Promise<string> {
  const service = await startService(definition, testEnv(ns, env));
  running.push(service);
  await service.ready;
  return service.url;
}

before(async () => {
  const bankUrl = await start(bank, { BANK_FAILURE_RATE: '0', BANK_LATENCY_MS: '5', BANK_JITTER_MS: '5' });
  await start(payments, { BANK_URL: bankUrl });
  const ordersUrl = await start(orders);
  const inventoryUrl = await start(inventory);
  const shippingUrl = await start(shipping);
  const orderViewUrl = await start(orderView, { ORDERS_URL: ordersUrl });
  await start(notifications, { ORDER_VIEW_URL: orderViewUrl });
  gateway = await startGateway(ns, {
    orders: ordersUrl,
    orderView: orderViewUrl,
    inventory: inventoryUrl,
    shipping: shippingUrl,
  });
  alice = await signIn(gateway.url, 'alice');
});

after(async () => {
  await gateway?.stop();
  for (const service of running.reverse()) await service.stop();
  await dropNamespace(ns);
});

async function placeOrder(items: { sku: string; quantity: number }[]): Promise<string> {
  const placed = await call(`${gateway.url}/api/orders`, {
    token: alice,
    headers: { 'idempotency-key': randomUUID() },
    body: { items },
  });
  assert.equal(placed.status, 202, JSON.stringify(placed.body));
  assert.equal(placed.body['status'], 'pending');
  return placed.body['orderId'] as string;
}

/** Polls GET /api/orders/:id as a client would until `until` holds; every answer on the way must be 200. */
async function pollOrder(orderId: string, until: (order: Record<string, unknown>) => boolean): Promise<JsonResponse> {
  for (let i = 0; ; i++) {
    const response = await call(`${gateway.url}/api/orders/${orderId}`, { token: alice });
    assert.equal(response.status, 200, `poll ${i}: ${JSON.stringify(response.body)}`);
    if (until(response.body)) return response;
    if (i > 150) assert.fail(`order ${orderId} stayed ${JSON.stringify(response.body)}`);
    await sleep(100);
  }
}

test('an order placed through the gateway is confirmed, paid and shipped; both BFFs show it', async () => {
  const orderId = await placeOrder([
    { sku: 'espresso-beans', quantity: 2 },
    { sku: 'moka-pot', quantity: 1 },
  ]);
  const { body } = await pollOrder(orderId, (o) => o['status'] === 'confirmed' && o['shipment'] !== null);
  assert.equal(body['amountCents'], 2 * 1890 + 3490);
  const payment = body['payment'] as { paymentId: string; amountCents: number };
  assert.match(payment.paymentId, /\S/);
  assert.equal(payment.amountCents, 7270);
  assert.equal((body['shipment'] as { status: string }).status, 'scheduled');

  const mobile = await call(`${gateway.url}/bff/mobile/orders/${orderId}`, { token: alice });
  assert.deepEqual(mobile.body, {
    id: orderId,
    status: 'confirmed',
    total: 7270,
    itemCount: 3,
    shipmentStatus: 'scheduled',
  });
  const web = await call(`${gateway.url}/bff/web/orders/${orderId}`, { token: alice });
  assert.equal((web.body['items'] as { name: string }[])[1].name, 'Moka pot, 6 cups');

  const list = await call(`${gateway.url}/api/orders`, { token: alice });
  assert.ok((list.body['orders'] as { orderId: string }[]).some((o) => o.orderId === orderId));
  const bob = await signIn(gateway.url, 'bob');
  assert.equal((await call(`${gateway.url}/api/orders/${orderId}`, { token: bob })).status, 404);
});

test('a confirmed order cancelled through the gateway ends cancelled; a second cancel is refused', async () => {
  const orderId = await placeOrder([{ sku: 'green-tea', quantity: 1 }]);
  await pollOrder(orderId, (o) => o['status'] === 'confirmed');
  const cancel = await call(`${gateway.url}/api/orders/${orderId}/cancel`, { method: 'POST', token: alice });
  assert.equal(cancel.status, 202, JSON.stringify(cancel.body));
  const { body } = await pollOrder(orderId, (o) => o['status'] === 'cancelled');
  // shipping cancels the shipment before orders records the cancellation (it ends the saga).
  assert.equal((body['shipment'] as { status: string }).status, 'cancelled');
  const again = await call(`${gateway.url}/api/orders/${orderId}/cancel`, { method: 'POST', token: alice });
  assert.equal(again.status, 409);
  assert.equal((await call(`${gateway.url}/api/orders/nope/cancel`, { method: 'POST', token: alice })).status, 404);
});

test('an order beyond the stock is cancelled by compensation, without a payment', async () => {
  const orderId = await placeOrder([{ sku: 'gold-teapot', quantity: 50 }]);
  const { body } = await pollOrder(orderId, (o) => o['status'] === 'cancelled' || o['status'] === 'failed');
  assert.equal(body['status'], 'cancelled');
  assert.equal(body['payment'], null);
  assert.match(String(body['reason']), /stock/i);
});
