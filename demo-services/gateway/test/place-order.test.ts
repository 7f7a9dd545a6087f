// Placing an order through the gateway: every bad input is a 400 naming the problem before
// orders is asked; a good one is forwarded with its Idempotency-Key and the customer, and
// orders' answer (202, or 409 for a reused key) is passed on. Inventory is the REAL service
// (its catalog decides which SKUs exist); orders is a stand-in (not in the repo yet).
import type { RunningService } from '@hopscope/demo-shared';
import { startService } from '@hopscope/demo-shared';
import { dropNamespace, testEnv, uniqueNamespace } from '@hopscope/demo-shared/testing';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inventory } from '../../inventory/src/app.ts';
import { type StubServer, call, errorOf, signIn, startGateway, stubServer } from './helpers.ts';

const ns = uniqueNamespace();
let inventoryService: RunningService;
let gateway: RunningService;
let orders: StubServer;
let token: string;
const seenKeys = new Map<string, string>();

before(async () => {
  inventoryService = await startService(inventory, testEnv(ns));
  await inventoryService.ready;
  orders = await stubServer((app) =>
    app.post('/orders', (req, res) => {
      const key = req.get('idempotency-key') ?? '';
      const body = JSON.stringify(req.body);
      if (seenKeys.has(key) && seenKeys.get(key) !== body) {
        res.status(409).json({ error: { code: 'idempotency_key_reused', message: 'key used for another order' } });
        return;
      }
      seenKeys.set(key, body);
      res.status(202).json({ orderId: `order-${key}`, status: 'pending' });
    }),
  );
  gateway = await startGateway(ns, { inventory: inventoryService.url, orders: orders.url });
  token = await signIn(gateway.url, 'alice');
});

after(async () => {
  await gateway?.stop();
  await inventoryService?.stop();
  await orders?.close();
  await dropNamespace(ns);
});

const place = (body: unknown, headers: Record<string, string> = { 'idempotency-key': 'k-1' }, rawBody?: string) =>
  call(`${gateway.url}/api/orders`, { token, headers, ...(rawBody === undefined ? { body } : { rawBody }) });

test('GET /api/products lists the catalog with stock, without signing in', async () => {
  const response = await call(`${gateway.url}/api/products`);
  assert.equal(response.status, 200);
  const products = response.body['products'] as { sku: string; stock: number }[];
  assert.ok(products.some((p) => p.sku === 'espresso-beans' && p.stock > 0));
  assert.ok(products.some((p) => p.sku === 'gold-teapot'));
});

test('each bad order is a 400 with a JSON error naming the problem, and orders is never asked', async () => {
  const line = (sku: string, quantity: number) => ({ sku, quantity });
  const cases: {
    name: string;
    response: Promise<Awaited<ReturnType<typeof place>>>;
    field: string;
    message: RegExp;
  }[] = [
    {
      name: 'missing Idempotency-Key',
      response: place({ items: [line('espresso-beans', 1)] }, {}),
      field: 'Idempotency-Key',
      message: /Idempotency-Key header is required/,
    },
    {
      name: 'Idempotency-Key too long',
      response: place({ items: [line('espresso-beans', 1)] }, { 'idempotency-key': 'k'.repeat(129) }),
      field: 'Idempotency-Key',
      message: /1-128 printable/,
    },
    {
      name: 'quantity 0',
      response: place({ items: [line('espresso-beans', 0)] }),
      field: 'items[0].quantity',
      message: />=1/,
    },
    {
      name: 'quantity 1000',
      response: place({ items: [line('green-tea', 1), line('espresso-beans', 1000)] }),
      field: 'items[1].quantity',
      message: /<=100/,
    },
    {
      name: '21 items',
      response: place({ items: Array.from({ length: 21 }, () => line('espresso-beans', 1)) }),
      field: 'items',
      message: /<=20/,
    },
    { name: 'no items', response: place({ items: [] }), field: 'items', message: />=1/ },
    {
      name: 'unknown sku',
      response: place({ items: [line('espresso-beans', 1), line('unicorn-horn', 1)] }),
      field: 'items[1].sku',
      message: /unknown SKU "unicorn-horn"/,
    },
    {
      name: 'extra field',
      response: place({ items: [line('espresso-beans', 1)], coupon: 'FREE' }),
      field: '',
      message: /coupon/,
    },
  ];
  for (const { name, response: pending, field, message } of cases) {
    const response = await pending;
    assert.equal(response.status, 400, name);
    if (field) assert.equal(errorOf(response).field, field, name);
    assert.match(errorOf(response).message, message, name);
  }

  const malformed = await place(undefined, { 'idempotency-key': 'k-2' }, '{"items": [');
  assert.equal(malformed.status, 400);
  assert.equal(errorOf(malformed).code, 'malformed_json');

  const huge = await place({ items: [{ sku: 'espresso-beans', quantity: 1 }], pad: 'x'.repeat(20_000) });
  assert.equal(huge.status, 413);

  assert.equal(orders.requests.length, 0);
});

test('a good order is forwarded with its key and customer: 202, the same again, 409 for the key with another body', async () => {
  const body = { items: [{ sku: 'espresso-beans', quantity: 2 }] };
  const placed = await place(body, { 'idempotency-key': 'order-a' });
  assert.equal(placed.status, 202);
  assert.deepEqual(placed.body, { orderId: 'order-order-a', status: 'pending' });
  const forwarded = orders.requests.at(-1);
  assert.equal(forwarded?.headers['idempotency-key'], 'order-a');
  assert.equal(forwarded?.headers['x-customer'], 'alice');
  assert.deepEqual(forwarded?.body, body);

  const again = await place(body, { 'idempotency-key': 'order-a' });
  assert.equal(again.status, 202);
  assert.deepEqual(again.body, placed.body);

  const reused = await place({ items: [{ sku: 'green-tea', quantity: 1 }] }, { 'idempotency-key': 'order-a' });
  assert.equal(reused.status, 409);
  assert.equal(errorOf(reused).code, 'idempotency_key_reused');
});
