// The database invariants against the real PostgreSQL: a namespace of the test's own holds the
// four databases the invariants read, created with the services' own migrations; each test
// writes the rows a real run would leave (or the rows a bug would), then asks the invariant.
import { dropNamespace, TEST_DATABASE_URL, testDatabase, uniqueNamespace } from '@hopscope/demo-shared/testing';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, test } from 'node:test';
import pg from 'pg';
import { MIGRATIONS as BANK } from '../../demo-services/bank/src/adapters/charges-sql.ts';
import { MIGRATIONS as INVENTORY } from '../../demo-services/inventory/src/adapters/stock-sql.ts';
import { MIGRATIONS as ORDERS } from '../../demo-services/orders/src/adapters/migrations.ts';
import { MIGRATIONS as PAYMENTS } from '../../demo-services/payments/src/adapters/payments-sql.ts';
import type { CheckContext } from '../src/checks/context.ts';
import { INITIAL_STOCK, evaluateInvariant, inspectInvariant } from '../src/checks/invariants.ts';
import { serviceDatabaseName } from '../src/checks/shop-databases.ts';

const namespace = uniqueNamespace();
const ctx: CheckContext = {
  prometheus: 'http://127.0.0.1:1',
  jaeger: 'http://127.0.0.1:1',
  loki: 'http://127.0.0.1:1',
  databaseUrl: TEST_DATABASE_URL,
  namespace,
  // The phase began as the check runs: every order a test writes is held to the invariants.
  get windowStart() {
    return Date.now();
  },
};
const SCHEMAS = { orders: ORDERS, inventory: INVENTORY, payments: PAYMENTS, bank: BANK };
type Service = keyof typeof SCHEMAS;
const pools = new Map<Service, pg.Pool>();
const db = (service: Service): pg.Pool => pools.get(service)!;

before(async () => {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    for (const service of Object.keys(SCHEMAS))
      await admin.query(`CREATE DATABASE ${serviceDatabaseName(namespace, service)}`);
  } finally {
    await admin.end();
  }
  for (const [service, migrations] of Object.entries(SCHEMAS) as Array<[Service, string[]]>) {
    const pool = testDatabase(namespace, service);
    pools.set(service, pool);
    for (const statement of migrations) await pool.query(statement);
  }
});

after(async () => {
  await Promise.all([...pools.values()].map((pool) => pool.end()));
  await dropNamespace(namespace);
});

beforeEach(async () => {
  await db('orders').query('TRUNCATE order_events');
  await db('inventory').query('TRUNCATE reservation_lines, reservations');
  for (const [sku, stock] of Object.entries(INITIAL_STOCK)) {
    await db('inventory').query('UPDATE products SET stock = $2 WHERE sku = $1', [sku, stock]);
  }
  await db('payments').query('TRUNCATE payments');
  await db('bank').query('TRUNCATE charges');
});

// ---- rows as the services write them -----------------------------------------------------------

type Line = { sku: string; quantity: number };
const PRICES: Record<string, number> = { 'moka-pot': 3490, 'gold-teapot': 129900, 'green-tea': 790 };
const priceOf = (items: Line[]) => items.reduce((sum, l) => sum + PRICES[l.sku] * l.quantity, 0);

async function event(orderId: string, type: string, data: object, agoS = 0): Promise<void> {
  await db('orders').query(
    `INSERT INTO order_events (order_id, type, data, at) VALUES ($1, $2, $3, now() - make_interval(secs => $4))`,
    [orderId, type, data, agoS],
  );
}

async function placed(items: Line[], agoS = 0): Promise<string> {
  const orderId = randomUUID();
  await event(
    orderId,
    'order.placed',
    { v: 1, orderId, customer: 'ada', items, placedAt: new Date().toISOString() },
    agoS,
  );
  return orderId;
}

/** inventory.reserve, as stock-sql.ts does it. */
async function reserve(orderId: string, items: Line[]): Promise<void> {
  await db('inventory').query(`INSERT INTO reservations (order_id, status, amount_cents) VALUES ($1, 'reserved', $2)`, [
    orderId,
    priceOf(items),
  ]);
  for (const { sku, quantity } of items) {
    await db('inventory').query('UPDATE products SET stock = stock - $2 WHERE sku = $1', [sku, quantity]);
    await db('inventory').query('INSERT INTO reservation_lines (order_id, sku, quantity) VALUES ($1, $2, $3)', [
      orderId,
      sku,
      quantity,
    ]);
  }
  await event(orderId, 'stock-reserved', { amountCents: priceOf(items) });
}

/** inventory.release: the lines go back to stock, the reservation keeps them, marked released. */
async function release(orderId: string, items: Line[]): Promise<void> {
  for (const { sku, quantity } of items) {
    await db('inventory').query('UPDATE products SET stock = stock + $2 WHERE sku = $1', [sku, quantity]);
  }
  await db('inventory').query(`UPDATE reservations SET status = 'released', released_at = now() WHERE order_id = $1`, [
    orderId,
  ]);
}

/** The bank's charge and payments' row for it; returns the bank's charge id. */
async function charge(orderId: string, amountCents: number): Promise<string> {
  const { rows } = await db('bank').query<{ charge_id: string }>(
    'INSERT INTO charges (reference, amount_cents) VALUES ($1, $2) RETURNING charge_id::text',
    [orderId, amountCents],
  );
  await db('payments').query(
    `INSERT INTO payments (order_id, customer, amount_cents, status, bank_charge_id) VALUES ($1, 'ada', $2, 'charged', $3)`,
    [orderId, amountCents, rows[0].charge_id],
  );
  await event(orderId, 'payment-charged', { paymentId: randomUUID() });
  return rows[0].charge_id;
}

async function refund(orderId: string): Promise<void> {
  await db('bank').query('UPDATE charges SET refunded_at = now() WHERE reference = $1', [orderId]);
  await db('payments').query(`UPDATE payments SET status = 'refunded' WHERE order_id = $1`, [orderId]);
}

async function confirmedOrder(items: Line[]): Promise<string> {
  const orderId = await placed(items);
  await reserve(orderId, items);
  await charge(orderId, priceOf(items));
  await event(orderId, 'order.confirmed', {
    v: 1,
    orderId,
    customer: 'ada',
    amountCents: priceOf(items),
    paymentId: 'p',
  });
  return orderId;
}

/** Payment declined: the saga released the stock and cancelled the order. */
async function declinedOrder(items: Line[]): Promise<string> {
  const orderId = await placed(items);
  await reserve(orderId, items);
  await db('payments').query(
    `INSERT INTO payments (order_id, customer, amount_cents, status, reason) VALUES ($1, 'ada', $2, 'declined', 'bank unavailable')`,
    [orderId, priceOf(items)],
  );
  await release(orderId, items);
  await event(orderId, 'order.cancelled', { v: 1, orderId, reason: 'bank unavailable' });
  return orderId;
}

/** The charge's reply timed out: the saga refunded it, released the stock, and the order failed. */
async function timedOutOrder(items: Line[]): Promise<string> {
  const orderId = await placed(items);
  await reserve(orderId, items);
  await charge(orderId, priceOf(items));
  await refund(orderId);
  await release(orderId, items);
  await event(orderId, 'order.failed', { v: 1, orderId, reason: 'charge-payment timed out' });
  return orderId;
}

const short = (id: string) => id.slice(0, 8);
const TEAPOT = [{ sku: 'gold-teapot', quantity: 1 }];
const MIXED = [
  { sku: 'moka-pot', quantity: 2 },
  { sku: 'green-tea', quantity: 1 },
];

// ---- the tests ------------------------------------------------------------------------------------

test("the seeded stock the invariant assumes is the one inventory's migrations seed", async () => {
  const { rows } = await db('inventory').query<{ sku: string; stock: number }>('SELECT sku, stock FROM products');
  // Read in a fresh database: beforeEach resets to INITIAL_STOCK, so compare with the seed itself.
  const seed = INVENTORY.find((statement) => statement.includes('INSERT INTO products'))!;
  const seeded = Object.fromEntries(
    [...seed.matchAll(/\('([a-z-]+)',\s*'(?:[^']|'')*',\s*\d+,\s*(\d+)\)/g)].map(([, sku, stock]) => [
      sku,
      Number(stock),
    ]),
  );
  assert.deepEqual(seeded, INITIAL_STOCK);
  assert.deepEqual(Object.fromEntries(rows.map((r) => [r.sku, r.stock])), INITIAL_STOCK);
});

test('a shop whose orders all ended well holds every invariant', async () => {
  await confirmedOrder(MIXED);
  await confirmedOrder(TEAPOT);
  await declinedOrder(TEAPOT);
  await timedOutOrder(MIXED);
  await confirmedOrder(TEAPOT);
  const seen = await evaluateInvariant('orders-terminal', ctx);
  assert.deepEqual(seen, {
    holds: true,
    observed: '5 orders, all terminal: 3 confirmed, 1 cancelled, 1 failed',
    count: 0,
  });
  assert.deepEqual(await evaluateInvariant('stock-balanced', ctx), {
    holds: true,
    observed: '5 SKUs balanced; 5 units held by 3 live reservations',
    count: 0,
  });
  assert.deepEqual(await evaluateInvariant('no-orphan-charge', ctx), {
    holds: true,
    observed: '3 charges held, each for a confirmed or live order',
    count: 0,
  });
  assert.deepEqual(await evaluateInvariant('no-duplicate-charge', ctx), {
    holds: true,
    observed: '4 orders charged, each once',
    count: 0,
  });
  assert.deepEqual(await evaluateInvariant('messages-processed-once', ctx), {
    holds: true,
    observed: '5 reservations as ordered; no event, payment or charge twice',
    count: 0,
  });
});

test('orders-terminal names the pending and cancelling orders, oldest first, with their age', async () => {
  await confirmedOrder(TEAPOT);
  const stuck = await placed(MIXED, 130);
  await reserve(stuck, MIXED);
  const cancelling = await confirmedOrder(MIXED);
  await event(cancelling, 'order.cancellation-requested', { v: 1, orderId: cancelling, sagaId: 's' });
  const cancelled = await confirmedOrder(TEAPOT);
  await event(cancelled, 'order.cancellation-requested', { v: 1, orderId: cancelled, sagaId: 's' });
  await event(cancelled, 'order.cancelled', { v: 1, orderId: cancelled, reason: 'customer' });

  const seen = await evaluateInvariant('orders-terminal', ctx);
  assert.equal(seen.holds, false);
  assert.equal(seen.count, 2);
  // Ages are read a moment after the rows were written: a slow machine adds a second.
  assert.match(
    seen.observed,
    new RegExp(`^2 of 4 orders not terminal: ${short(stuck)} pending 2m1[01]s, ${short(cancelling)} cancelling [01]s$`),
  );
});

test('orders-terminal holds only the orders placed before its phase began: the run goes on placing orders', async () => {
  const before = await placed(MIXED, 120);
  await placed(MIXED);
  const seen = await evaluateInvariant('orders-terminal', { ...ctx, windowStart: Date.now() - 60_000 });
  assert.equal(seen.holds, false);
  assert.match(seen.observed, new RegExp(`^1 of 1 order not terminal: ${short(before)} pending 2m0[01]s$`));
});

test('stock-balanced: stock lost, stock held for a cancelled or unknown order, a sold order’s stock given back', async () => {
  const ok = await confirmedOrder(MIXED);
  const live = await placed(TEAPOT);
  await reserve(live, TEAPOT); // pending, holding stock: its saga is still deciding
  assert.equal((await evaluateInvariant('stock-balanced', ctx)).holds, true);

  // A cancelled order whose release never happened.
  const leaked = await placed(TEAPOT);
  await reserve(leaked, TEAPOT);
  await event(leaked, 'order.cancelled', { v: 1, orderId: leaked, reason: 'bank unavailable' });
  // A confirmed order whose stock went back.
  await release(ok, MIXED);
  // A reservation for an order orders never had.
  const ghost = randomUUID();
  await db('inventory').query(
    `INSERT INTO reservations (order_id, status, amount_cents) VALUES ($1, 'reserved', 790)`,
    [ghost],
  );
  await db('inventory').query(`INSERT INTO reservation_lines (order_id, sku, quantity) VALUES ($1, 'green-tea', 1)`, [
    ghost,
  ]);
  // …and a moka pot that left the shelf with no reservation holding it.
  await db('inventory').query(`UPDATE products SET stock = stock - 1 WHERE sku = 'moka-pot'`);

  const report = await inspectInvariant('stock-balanced', ctx);
  assert.deepEqual(
    report.violations.sort(),
    [
      `${short(ghost)} (no such order) still holds 1 unit`,
      `${short(leaked)} (cancelled) still holds 1 unit`,
      `${short(ok)} (confirmed) holds no stock`,
      'green-tea: stock 1000000 + reserved 1 ≠ seeded 1000000 (1 unit too many)',
      'moka-pot: stock 999999 + reserved 0 ≠ seeded 1000000 (1 unit missing)',
    ].sort(),
  );
  const seen = await evaluateInvariant('stock-balanced', ctx);
  assert.equal(seen.holds, false);
  assert.equal(seen.count, 5);
  assert.match(seen.observed, /^5 stock discrepancies: /);
});

test('no-orphan-charge: money held for a cancelled order or no order is named with its refund state', async () => {
  await confirmedOrder(TEAPOT);
  await timedOutOrder(MIXED); // charged, then refunded: fine
  const live = await placed(TEAPOT);
  await reserve(live, TEAPOT);
  await charge(live, priceOf(TEAPOT)); // pending: its saga is about to confirm
  assert.equal((await evaluateInvariant('no-orphan-charge', ctx)).holds, true);

  const owed = await placed(MIXED);
  await reserve(owed, MIXED);
  await charge(owed, priceOf(MIXED));
  await db('payments').query(`UPDATE payments SET status = 'refund_pending', refund_attempts = 3 WHERE order_id = $1`, [
    owed,
  ]);
  await release(owed, MIXED);
  await event(owed, 'order.failed', { v: 1, orderId: owed, reason: 'timed out' });
  const stranger = randomUUID();
  await db('bank').query('INSERT INTO charges (reference, amount_cents) VALUES ($1, 500)', [stranger]);

  const seen = await evaluateInvariant('no-orphan-charge', ctx);
  assert.equal(seen.holds, false);
  assert.equal(seen.count, 2);
  assert.match(seen.observed, /^2 charges without a confirmed order or refund: /);
  assert.ok(
    seen.observed.includes(
      `${short(owed)} 77.70 held for a failed order (payments: refund_pending, 3 refund attempts)`,
    ),
    seen.observed,
  );
  assert.ok(seen.observed.includes(`${short(stranger)} 5.00 held for no such order (payments: no row)`), seen.observed);
});

test('no-duplicate-charge: a second charge id, or more than the order’s price, is a duplicate', async () => {
  await confirmedOrder(MIXED);
  const recharged = await confirmedOrder(TEAPOT);
  const doubled = await confirmedOrder(MIXED);
  assert.equal((await evaluateInvariant('no-duplicate-charge', ctx)).holds, true);

  // payments was answered another charge than the one the bank keeps for the order…
  const other = randomUUID();
  await db('payments').query('UPDATE payments SET bank_charge_id = $2 WHERE order_id = $1', [recharged, other]);
  // …and a retried charge was added to the first.
  await db('bank').query('UPDATE charges SET amount_cents = amount_cents * 2 WHERE reference = $1', [doubled]);

  const { violations } = await inspectInvariant('no-duplicate-charge', ctx);
  const { rows } = await db('bank').query<{ charge_id: string }>(
    'SELECT charge_id::text FROM charges WHERE reference = $1',
    [recharged],
  );
  assert.deepEqual(
    violations.sort(),
    [
      `${short(doubled)} charged 155.40 for an order of 77.70`,
      `${short(recharged)} recorded charge ${short(other)}, the bank holds ${short(rows[0].charge_id)}`,
    ].sort(),
  );
  const seen = await evaluateInvariant('no-duplicate-charge', ctx);
  assert.equal(seen.holds, false);
  assert.match(seen.observed, /^2 duplicate charges: /);
});

test('messages-processed-once: an event appended twice and stock taken twice are named', async () => {
  const once = await confirmedOrder(MIXED);
  const twice = await confirmedOrder(TEAPOT);
  assert.equal((await evaluateInvariant('messages-processed-once', ctx)).holds, true);

  await event(twice, 'payment-charged', { paymentId: 'again' });
  await db('inventory').query(
    `UPDATE reservation_lines SET quantity = quantity * 2 WHERE order_id = $1 AND sku = 'moka-pot'`,
    [once],
  );
  const seen = await evaluateInvariant('messages-processed-once', ctx);
  assert.deepEqual(seen, {
    holds: false,
    observed: `2 effects not once: ${short(twice)} payment-charged ×2, ${short(once)} reserved 4 moka-pot of 2 ordered`,
    count: 2,
  });
});

test('a database that cannot be read makes the invariant not hold, saying which', async () => {
  const elsewhere = { ...ctx, namespace: uniqueNamespace() };
  const seen = await evaluateInvariant('orders-terminal', elsewhere);
  assert.equal(seen.holds, false);
  assert.equal(seen.count, undefined);
  assert.match(seen.observed, new RegExp(`^cannot read: database ${elsewhere.namespace}_orders: .*does not exist`));
});

test('a check aborted by the run rejects with its reason instead of answering', async () => {
  const controller = new AbortController();
  controller.abort(new Error('interrupted'));
  await assert.rejects(evaluateInvariant('orders-terminal', { ...ctx, signal: controller.signal }), /interrupted/);
});
