// Reading orders: API composition of the read model and shipping, the fallback to the write
// model right after the 202, the degraded answer when shipping is down, another customer's
// order as 404, and the two BFF shapes of the same composition. Shipping and inventory are
// the REAL services; order-view and orders are stand-ins (not in the repo yet).
import { type RunningService, startService } from '@hopscope/demo-shared';
import { dropNamespace, TEST_AMQP_URL, testEnv, uniqueNamespace } from '@hopscope/demo-shared/testing';
import amqp from 'amqplib';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { HEADER_MESSAGE_TYPE, Topology } from '@hopscope/demo-shared';
import { inventory } from '../../inventory/src/app.ts';
import { shipping } from '../../shipping/src/app.ts';
import { NOWHERE, type StubServer, call, errorOf, signIn, startGateway, stubServer } from './helpers.ts';

const ns = uniqueNamespace();
const services: RunningService[] = [];
let orderView: StubServer;
let orders: StubServer;
let gateway: RunningService;
let gatewayWithoutShipping: RunningService;
let alice: string;

const confirmedId = `o-${randomUUID()}`;
const readModel = {
  [confirmedId]: {
    orderId: confirmedId,
    customer: 'alice',
    status: 'confirmed',
    items: [
      { sku: 'espresso-beans', quantity: 2 },
      { sku: 'moka-pot', quantity: 1 },
    ],
    amountCents: 7270,
    paymentId: 'pay-1',
    cancellation: null,
    shipment: null,
    updatedAt: '2026-01-01T10:00:00.000Z',
  },
  'o-bob': {
    orderId: 'o-bob',
    customer: 'bob',
    status: 'pending',
    items: [{ sku: 'green-tea', quantity: 1 }],
    amountCents: null,
    paymentId: null,
    cancellation: null,
    shipment: null,
    updatedAt: '2026-01-01T10:00:00.000Z',
  },
} as Record<string, Record<string, unknown>>;
const writeModel = {
  orderId: 'o-just-placed',
  customer: 'alice',
  status: 'pending',
  items: [{ sku: 'green-tea', quantity: 3 }],
  amountCents: null,
  paymentId: null,
  cancellation: null,
  reason: null,
};

/** Tells the real shipping service an order was confirmed, as orders' outbox relay would. */
async function confirmToShipping(orderId: string): Promise<void> {
  const connection = await amqp.connect(TEST_AMQP_URL);
  try {
    const channel = await connection.createChannel();
    const body = { v: 1, orderId, customer: 'alice', amountCents: 7270, paymentId: 'pay-1' };
    channel.publish(new Topology(ns).exchange('events'), 'order.confirmed', Buffer.from(JSON.stringify(body)), {
      messageId: randomUUID(),
      contentType: 'application/json',
      headers: { [HEADER_MESSAGE_TYPE]: 'order.confirmed' },
    });
    await channel.close();
  } finally {
    await connection.close();
  }
}

before(async () => {
  for (const definition of [inventory, shipping]) {
    const service = await startService(definition, testEnv(ns));
    services.push(service);
    await service.ready;
  }
  const [inventoryService, shippingService] = services;
  orderView = await stubServer((app) => {
    app.get('/orders/:id', (req, res) => {
      const order = readModel[req.params.id];
      if (order) res.json(order);
      else res.status(404).json({ error: { code: 'order_not_found', message: 'no such order' } });
    });
    app.get('/orders', (req, res) => {
      res.json({ orders: Object.values(readModel).filter((o) => o['customer'] === req.query['customer']) });
    });
  });
  orders = await stubServer((app) =>
    app.get('/orders/:id', (req, res) => {
      if (req.params.id === writeModel.orderId) res.json(writeModel);
      else res.status(404).json({ error: { code: 'order_not_found', message: 'no such order' } });
    }),
  );
  const upstreams = { orderView: orderView.url, orders: orders.url, inventory: inventoryService.url };
  gateway = await startGateway(ns, { ...upstreams, shipping: shippingService.url });
  gatewayWithoutShipping = await startGateway(ns, { ...upstreams, shipping: NOWHERE });
  alice = await signIn(gateway.url, 'alice');

  await confirmToShipping(confirmedId);
  for (let i = 0; (await fetch(`${shippingService.url}/shipments/${confirmedId}`)).status !== 200; i++) {
    if (i > 100) throw new Error('shipping scheduled no shipment');
    await sleep(100);
  }
});

after(async () => {
  await gatewayWithoutShipping?.stop();
  await gateway?.stop();
  for (const service of services.reverse()) await service.stop();
  await orderView?.close();
  await orders?.close();
  await dropNamespace(ns);
});

test('an order is composed from the read model and shipping', async () => {
  const response = await call(`${gateway.url}/api/orders/${confirmedId}`, { token: alice });
  assert.equal(response.status, 200);
  const shipment = response.body['shipment'] as { shipmentId: string; status: string };
  assert.equal(shipment.status, 'scheduled');
  assert.match(shipment.shipmentId, /\S/);
  assert.deepEqual(response.body, {
    orderId: confirmedId,
    status: 'confirmed',
    items: readModel[confirmedId]['items'],
    amountCents: 7270,
    payment: { paymentId: 'pay-1', amountCents: 7270 },
    shipment,
    cancellation: null,
    reason: null,
    updatedAt: '2026-01-01T10:00:00.000Z',
  });
});

test('with shipping down, the order is still served: shipment null, degraded ["shipping"]', async () => {
  const token = await signIn(gatewayWithoutShipping.url, 'alice');
  const response = await call(`${gatewayWithoutShipping.url}/api/orders/${confirmedId}`, { token });
  assert.equal(response.status, 200);
  assert.equal(response.body['status'], 'confirmed');
  assert.equal(response.body['shipment'], null);
  assert.deepEqual(response.body['degraded'], ['shipping']);
});

test('an order not yet in the read model is served from the write model, not 404', async () => {
  const response = await call(`${gateway.url}/api/orders/o-just-placed`, { token: alice });
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, {
    orderId: 'o-just-placed',
    status: 'pending',
    items: [{ sku: 'green-tea', quantity: 3 }],
    amountCents: null,
    payment: null,
    shipment: null,
    cancellation: null,
    reason: null,
    updatedAt: null,
  });
});

test("an unknown order and another customer's order are both 404", async () => {
  for (const id of ['o-nowhere', 'o-bob']) {
    const response = await call(`${gateway.url}/api/orders/${id}`, { token: alice });
    assert.equal(response.status, 404, id);
    assert.equal(errorOf(response).code, 'order_not_found', id);
  }
  const bob = await signIn(gateway.url, 'bob');
  assert.equal((await call(`${gateway.url}/api/orders/o-bob`, { token: bob })).status, 200);
});

test("GET /api/orders lists the caller's orders from the read model", async () => {
  const response = await call(`${gateway.url}/api/orders`, { token: alice });
  assert.equal(response.status, 200);
  const listed = response.body['orders'] as { orderId: string }[];
  assert.deepEqual(
    listed.map((o) => o.orderId),
    [confirmedId],
  );
  assert.equal((await call(`${gateway.url}/api/orders?limit=0`, { token: alice })).status, 400);
});

test('the web BFF adds product names and unit prices; the mobile BFF is one compact row', async () => {
  const web = await call(`${gateway.url}/bff/web/orders/${confirmedId}`, { token: alice });
  assert.equal(web.status, 200);
  assert.deepEqual(web.body['items'], [
    { sku: 'espresso-beans', quantity: 2, name: 'Espresso beans, 1 kg', unitPriceCents: 1890 },
    { sku: 'moka-pot', quantity: 1, name: 'Moka pot, 6 cups', unitPriceCents: 3490 },
  ]);
  assert.equal((web.body['shipment'] as { status: string }).status, 'scheduled');
  assert.deepEqual(web.body['payment'], { paymentId: 'pay-1', amountCents: 7270 });

  const mobile = await call(`${gateway.url}/bff/mobile/orders/${confirmedId}`, { token: alice });
  assert.equal(mobile.status, 200);
  assert.deepEqual(mobile.body, {
    id: confirmedId,
    status: 'confirmed',
    total: 7270,
    itemCount: 3,
    shipmentStatus: 'scheduled',
  });

  const webList = await call(`${gateway.url}/bff/web/orders`, { token: alice });
  assert.equal((webList.body['orders'] as { items: { name: string }[] }[])[0].items[0].name, 'Espresso beans, 1 kg');
  const mobileList = await call(`${gateway.url}/bff/mobile/orders`, { token: alice });
  assert.deepEqual(mobileList.body, {
    orders: [{ id: confirmedId, status: 'confirmed', total: 7270, itemCount: 3, shipmentStatus: null }],
  });
  assert.equal((await call(`${gateway.url}/bff/mobile/orders/o-bob`, { token: alice })).status, 404);
});
