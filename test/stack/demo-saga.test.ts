// The demo system end to end, as a user meets it: every service started with only the register
// flag against the real RabbitMQ, PostgreSQL, collector, Jaeger, Loki and Prometheus. What is
// asserted is what a user sees at the gateway, in the backends' query APIs and in each
// service's own database.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import test from 'node:test';
import amqp from 'amqplib';
import { type JaegerTrace, jaegerTrace, lokiQuery, promExemplars, promQuery } from './helpers/backends.ts';
import { useDemo } from './helpers/demo.ts';
import { eventually } from './helpers/eventually.ts';
import { ShopClient } from './helpers/shop-client.ts';

// The bank fails 2 % of its calls by default (it is the demo's flakiest dependency); here every
// order that can be confirmed must be, so that its trace reaches shipping and notifications.
const { system, sql } = useDemo({ serviceEnv: { bank: { BANK_FAILURE_RATE: '0' } } });
const gateway = () => system().endpoints().gateway;

const EVERY_SERVICE = ['gateway', 'orders', 'inventory', 'payments', 'bank', 'shipping', 'notifications', 'order-view'];

function servicesOf(trace: JaegerTrace): Set<string> {
  return new Set(trace.spans.map((span) => trace.processes[span.processID].serviceName));
}

/** The trace once Jaeger holds spans of every one of `services`. */
function traceWith(traceId: string, services: string[], timeoutMs = 60_000): Promise<JaegerTrace> {
  return eventually(
    `trace ${traceId} with spans of ${services.join(', ')}`,
    async () => {
      const trace = await jaegerTrace(traceId);
      if (!trace) return undefined;
      const seen = servicesOf(trace);
      return services.every((s) => seen.has(s)) ? trace : undefined;
    },
    timeoutMs,
  );
}

async function promValue(promql: string): Promise<number> {
  const samples = await promQuery(promql);
  return samples.reduce((sum, sample) => sum + Number(sample.value[1]), 0);
}

test('an order placed at the gateway is confirmed, and becomes one trace across every service', async (t) => {
  const alice = await ShopClient.signIn(gateway(), 'alice');
  const placed = await alice.placeOrder([
    { sku: 'espresso-beans', quantity: 2 },
    { sku: 'green-tea', quantity: 1 },
  ]);
  assert.equal(placed.status, 202, JSON.stringify(placed.body));
  assert.equal(placed.body.status, 'pending');
  assert.ok(placed.traceId, 'the 202 carries a traceresponse');
  const order = await alice.waitForStatus(placed.body.orderId, ['confirmed']);
  assert.equal(order['amountCents'], 2 * 1890 + 790);

  const trace = await traceWith(placed.traceId, EVERY_SERVICE);
  t.diagnostic(`${trace.spans.length} spans in trace ${placed.traceId}`);
  // The outbox hop continues the request's trace: the orders relay's PRODUCER span for the
  // reserve command is in this trace, and inventory's CONSUMER span is its child.
  const producer = trace.spans.find(
    (s) =>
      trace.processes[s.processID].serviceName === 'orders' &&
      s.tags.some((tag) => tag.key === 'span.kind' && tag.value === 'producer'),
  );
  assert.ok(producer, 'a PRODUCER span of orders (the outbox relay) is in the request trace');

  // Every service's log lines for this trace, from Loki.
  const services = await eventually(
    'log lines of at least five services for the trace',
    async () => {
      const entries = await lokiQuery(`{service_name=~".+"} | trace_id="${placed.traceId}"`);
      const names = new Set(entries.map((entry) => entry.stream['service_name']));
      return names.size >= 5 ? names : undefined;
    },
    60_000,
  );
  t.diagnostic(`log lines from: ${[...services].sort().join(', ')}`);

  // The saga, in Prometheus (scraped from orders): counted started and completed, and this
  // order's saga is the exemplar of a completed saga's duration (its trace id).
  await eventually(
    'place-order saga started and ended completed in Prometheus',
    async () => {
      const started = await promValue('sum(hopscope_saga_started_total{saga="place-order"})');
      const completed = await promValue('sum(hopscope_saga_ended_total{saga="place-order",outcome="completed"})');
      return started >= 1 && completed >= 1 ? true : undefined;
    },
    60_000,
  );
  await eventually(
    "this order's saga as an exemplar of hopscope_saga_duration_seconds{outcome=completed}",
    async () => {
      const series = await promExemplars(
        'hopscope_saga_duration_seconds_bucket{saga="place-order",outcome="completed"}',
      );
      const ids = series.flatMap((s) => s.exemplars.map((e) => e.labels['trace_id']));
      return ids.includes(placed.traceId!) ? true : undefined;
    },
    60_000,
  );
});

test('an order for more than the stock is cancelled by compensation, without any charge', async () => {
  const bob = await ShopClient.signIn(gateway(), 'bob');
  const placed = await bob.placeOrder([
    { sku: 'moka-pot', quantity: 1 },
    { sku: 'gold-teapot', quantity: 50 },
  ]);
  assert.equal(placed.status, 202, JSON.stringify(placed.body));
  const order = await bob.waitForStatus(placed.body.orderId, ['cancelled', 'failed']);
  assert.equal(order['status'], 'cancelled');
  assert.match(String(order['reason']), /gold-teapot/);

  const charges = await sql('payments', 'SELECT status FROM payments WHERE order_id = $1', [placed.body.orderId]);
  assert.deepEqual(charges, [], 'payments never saw the order');
  const stock = await sql<{ stock: number }>('inventory', "SELECT stock FROM products WHERE sku = 'gold-teapot'");
  assert.equal(stock[0].stock, 3, 'the teapots are untouched');
  // The failed step is compensated too (release: a no-op here, but a step's effects can be
  // partial or unknown, as a timed-out charge's are), and that shows in the trace.
  const trace = await traceWith(placed.traceId!, ['gateway', 'orders', 'inventory']);
  const names = trace.spans.map((span) => span.operationName);
  assert.ok(
    names.includes('saga place-order compensate reserve-stock'),
    `the compensation step is in the trace: ${names.join(', ')}`,
  );
  await eventually(
    'place-order saga ended compensated in Prometheus',
    async () =>
      (await promValue('sum(hopscope_saga_ended_total{saga="place-order",outcome="compensated"})')) >= 1
        ? true
        : undefined,
    60_000,
  );
});

test('the same Idempotency-Key five times at once makes one order and one charge', async () => {
  const alice = await ShopClient.signIn(gateway(), 'alice');
  const key = randomUUID();
  const items = [{ sku: 'milk-frother', quantity: 1 }];
  const responses = await Promise.all(Array.from({ length: 5 }, () => alice.placeOrder(items, key)));
  for (const response of responses) assert.equal(response.status, 202, JSON.stringify(response.body));
  const ids = new Set(responses.map((response) => response.body.orderId));
  assert.equal(ids.size, 1, `one order id: ${[...ids].join(', ')}`);
  const [orderId] = [...ids] as [string];
  await alice.waitForStatus(orderId, ['confirmed']);
  const charges = await sql('payments', 'SELECT status FROM payments WHERE order_id = $1', [orderId]);
  assert.deepEqual(charges, [{ status: 'charged' }]);
  const bankCharges = await sql('bank', 'SELECT reference FROM charges WHERE reference = $1', [orderId]);
  assert.equal(bankCharges.length, 1, 'one charge at the bank');

  const other = await alice.placeOrder([{ sku: 'milk-frother', quantity: 2 }], key);
  assert.equal(other.status, 409, 'the same key with another body is refused');
});

test('a charge command delivered twice is processed once and counted as a duplicate', async () => {
  const orderId = `dup-${randomUUID()}`;
  const body = { v: 1, sagaId: randomUUID(), orderId, customer: 'alice', amountCents: 990 };
  const messageId = randomUUID();
  const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  try {
    const channel = await connection.createConfirmChannel();
    for (let i = 0; i < 2; i++) {
      channel.publish(`${system().namespace}.commands`, 'payments.charge', Buffer.from(JSON.stringify(body)), {
        messageId,
        contentType: 'application/json',
        headers: { 'x-message-type': 'payments.charge' },
        persistent: true,
      });
    }
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
  await eventually('the charge to be recorded', async () => {
    const rows = await sql('payments', 'SELECT status FROM payments WHERE order_id = $1', [orderId]);
    return rows.length > 0 ? rows : undefined;
  });
  await eventually(
    'the duplicate counted in Prometheus',
    async () =>
      (await promValue('sum(hopscope_idempotent_duplicates_total{service_name="payments"})')) >= 1 ? true : undefined,
    60_000,
  );
  const charges = await sql('bank', 'SELECT reference FROM charges WHERE reference = $1', [orderId]);
  assert.equal(charges.length, 1, 'one charge at the bank');
});

test('a cancellation ends the choreographed saga once, with stock and money returned', async () => {
  const bob = await ShopClient.signIn(gateway(), 'bob');
  const before = await sql<{ stock: number }>('inventory', "SELECT stock FROM products WHERE sku = 'green-tea'");
  const placed = await bob.placeOrder([{ sku: 'green-tea', quantity: 3 }]);
  await bob.waitForStatus(placed.body.orderId, ['confirmed']);
  const cancel = await bob.call('POST', `/api/orders/${placed.body.orderId}/cancel`);
  assert.equal(cancel.status, 202, JSON.stringify(cancel.body));
  const again = await bob.call('POST', `/api/orders/${placed.body.orderId}/cancel`);
  assert.equal(again.status, 202, 'asking again while it is under way is the same request');
  await bob.waitForStatus(placed.body.orderId, ['cancelled']);
  const late = await bob.call('POST', `/api/orders/${placed.body.orderId}/cancel`);
  assert.equal(late.status, 409, 'a cancelled order cannot be cancelled');

  const after = await sql<{ stock: number }>('inventory', "SELECT stock FROM products WHERE sku = 'green-tea'");
  assert.equal(after[0].stock, before[0].stock, 'the stock is back');
  const payment = await sql('payments', 'SELECT status FROM payments WHERE order_id = $1', [placed.body.orderId]);
  assert.deepEqual(payment, [{ status: 'refunded' }]);
  const shipment = await sql('shipping', 'SELECT status FROM shipments WHERE order_id = $1', [placed.body.orderId]);
  assert.deepEqual(shipment, [{ status: 'cancelled' }]);
  await eventually(
    'cancel-order saga ended completed once in Prometheus',
    async () =>
      (await promValue('sum(hopscope_saga_ended_total{saga="cancel-order",outcome="completed"})')) === 1
        ? true
        : undefined,
    60_000,
  );
});

test('every bad input gets its status code and a JSON error naming the problem', async () => {
  const alice = await ShopClient.signIn(gateway(), 'alice');
  const anonymous = new ShopClient(gateway());
  const line = { sku: 'green-tea', quantity: 1 };
  // [what, response, status, message, the field named (when the problem is one field)]
  const cases: Array<[string, Promise<{ status: number; body: unknown }>, number, RegExp, string?]> = [
    ['unknown user', anonymous.call('POST', '/auth/token', { username: 'mallory' }), 401, /mallory|user/i],
    ['no token', anonymous.placeOrder([line]), 401, /token|authorization/i],
    ['bad token', anonymous.call('GET', '/api/orders', undefined, { authorization: 'Bearer x.y.z' }), 401, /token/i],
    [
      'no Idempotency-Key',
      alice.call('POST', '/api/orders', { items: [line] }),
      400,
      /idempotency-key/i,
      'Idempotency-Key',
    ],
    ['unknown SKU', alice.placeOrder([{ sku: 'unicorn', quantity: 1 }]), 400, /unicorn/, 'items[0].sku'],
    ['quantity 0', alice.placeOrder([{ sku: 'green-tea', quantity: 0 }]), 400, /quantity/, 'items[0].quantity'],
    [
      'absurd quantity',
      alice.placeOrder([{ sku: 'green-tea', quantity: 100000 }]),
      400,
      /quantity/,
      'items[0].quantity',
    ],
    ['too many items', alice.placeOrder(Array.from({ length: 21 }, () => line)), 400, /items/, 'items'],
    [
      'malformed JSON',
      alice.call('POST', '/api/orders', '{"items": [', { 'idempotency-key': randomUUID() }),
      400,
      /JSON/,
    ],
    ['unknown order', alice.getOrder(randomUUID()), 404, /order/i],
    ['cancel of an unknown order', alice.call('POST', `/api/orders/${randomUUID()}/cancel`), 404, /order/i],
  ];
  for (const [what, pending, status, message, field] of cases) {
    const response = await pending;
    assert.equal(response.status, status, `${what}: ${JSON.stringify(response.body)}`);
    const error = (response.body as { error?: { message?: string; field?: string } }).error;
    assert.match(String(error?.message), message, `${what}: ${JSON.stringify(response.body)}`);
    if (field) assert.equal(error?.field, field, `${what}: ${JSON.stringify(response.body)}`);
  }
});

test('the read model rebuilt from the orders event log equals the live one after 50 orders', async () => {
  const alice = await ShopClient.signIn(gateway(), 'alice');
  const placed = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      alice.placeOrder([{ sku: i % 10 === 0 ? 'gold-teapot' : 'green-tea', quantity: 1 + (i % 3) }]),
    ),
  );
  for (const order of placed)
    await alice.waitForStatus(order.body.orderId, ['confirmed', 'cancelled', 'failed'], 60_000);
  const columns = 'order_id, customer, status, items, amount_cents, payment_id, cancellation, reason';
  const snapshot = () => sql('order-view', `SELECT ${columns} FROM order_view ORDER BY order_id`);
  const live = await snapshot();
  assert.ok(live.length >= 50);
  const rebuilt = await fetch(`${system().endpoints().services['order-view']}/rebuild`, { method: 'POST' });
  assert.equal(rebuilt.status, 200, await rebuilt.clone().text());
  assert.deepEqual(await snapshot(), live);
});

test("time to trace: from an order's 202 to its complete trace in Jaeger, over 20 orders", async (t) => {
  const carol = await ShopClient.signIn(gateway(), 'carol');
  const waits: number[] = [];
  await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 250));
      const placed = await carol.placeOrder([{ sku: 'espresso-beans', quantity: 1 }]);
      assert.equal(placed.status, 202);
      const accepted = Date.now();
      await traceWith(placed.traceId!, EVERY_SERVICE, 90_000);
      waits.push((Date.now() - accepted) / 1000);
    }),
  );
  waits.sort((a, b) => a - b);
  const p = (q: number) => waits[Math.min(waits.length - 1, Math.ceil(q * waits.length) - 1)].toFixed(1);
  t.diagnostic(`time to complete trace over ${waits.length} orders: p50 ${p(0.5)} s, p95 ${p(0.95)} s, max ${p(1)} s`);
  assert.equal(waits.length, 20, "every person's order trace is kept and complete");
});
