// The demo with a bank that is first slow and failing (a third of its calls answered 503, and
// half of them slower than payments waits, so that some charges land at the bank after payments
// gave up on them), then down, then recovered: payments' opossum breaker opens, orders whose
// charge failed are cancelled by compensation, and in the end no money is held for an order
// that was not confirmed — checked as a user would, in Prometheus and in the databases of
// payments and the bank.
import assert from 'node:assert/strict';
import test from 'node:test';
import { promQuery } from './helpers/backends.ts';
import { useDemo } from './helpers/demo.ts';
import { eventually } from './helpers/eventually.ts';
import { ShopClient } from './helpers/shop-client.ts';

const { system, sql } = useDemo({
  serviceEnv: {
    bank: { BANK_FAILURE_RATE: '0.3', BANK_LATENCY_MS: '1000', BANK_JITTER_MS: '2000' },
    // Owed refunds retried every 200 ms (backoff from there), so the test sees them settle.
    payments: { PAYMENTS_REFUND_RETRY_MS: '200' },
  },
});

test('a slow, failing bank, then a bank down: the breaker opens, sagas compensate, owed refunds settle after recovery', async () => {
  const alice = await ShopClient.signIn(system().endpoints().gateway, 'alice');
  const outcomes = new Map<string, string>();
  const settle = async (orderIds: string[]) => {
    for (const orderId of orderIds) {
      const done = await alice.waitForStatus(orderId, ['confirmed', 'cancelled', 'failed'], 90_000);
      outcomes.set(orderId, String(done['status']));
    }
  };
  const place = async () => {
    const order = await alice.placeOrder([{ sku: 'espresso-beans', quantity: 1 }]);
    assert.equal(order.status, 202, JSON.stringify(order.body));
    return order.body.orderId;
  };

  // Slow and failing: some charges time out at payments but land at the bank later (whether the
  // breaker opens here depends on the draw; with the bank down, next, it must).
  await settle(await Promise.all(Array.from({ length: 12 }, place)));
  assert.ok(
    [...outcomes.values()].includes('cancelled'),
    `some orders cancelled: ${[...outcomes.values()].join(', ')}`,
  );
  // Down: with orders still coming, the breaker stays open (each half-open test call fails).
  await system().restartService('bank', { BANK_FAILURE_RATE: '1', BANK_LATENCY_MS: '0', BANK_JITTER_MS: '0' });
  const during: string[] = [];
  await eventually(
    'hopscope_circuit_breaker_state{breaker="bank",state="open"} 1 in Prometheus while orders come in',
    async () => {
      during.push(await place());
      const [sample] = await promQuery('hopscope_circuit_breaker_state{breaker="bank",state="open"}');
      return sample?.value[1] === '1' ? true : undefined;
    },
    90_000,
  );
  await settle(during);
  for (const orderId of during)
    assert.equal(outcomes.get(orderId), 'cancelled', `order ${orderId} while the bank is down`);
  // Prometheus scrapes every 15 s: the count shows up within a scrape or two.
  await eventually(
    'compensated place-order sagas counted in Prometheus',
    async () => {
      const samples = await promQuery('sum(hopscope_saga_ended_total{saga="place-order",outcome="compensated"})');
      return Number(samples[0]?.value[1] ?? 0) >= during.length ? true : undefined;
    },
    60_000,
  );

  // The bank recovers. Refunds owed (a charge whose answer never came) are retried until it
  // takes them; after the outage their backoff may have reached its one-minute cap.
  await system().restartService('bank', { BANK_FAILURE_RATE: '0', BANK_LATENCY_MS: '20', BANK_JITTER_MS: '20' });
  await eventually(
    'no refund left owed',
    async () => {
      const owed = await sql('payments', "SELECT order_id FROM payments WHERE status = 'refund_pending'");
      return owed.length === 0 ? true : undefined;
    },
    180_000,
  );
  const held = await sql<{ reference: string }>(
    'bank',
    'SELECT reference FROM charges WHERE refunded_at IS NULL AND amount_cents > 0',
  );
  const charged = await sql<{ order_id: string }>('payments', "SELECT order_id FROM payments WHERE status = 'charged'");
  const confirmed = [...outcomes].filter(([, status]) => status === 'confirmed').map(([orderId]) => orderId);
  const sorted = (ids: string[]) => [...ids].sort();
  assert.deepEqual(
    sorted(held.map((r) => r.reference)),
    sorted(confirmed),
    'the bank holds money of confirmed orders only',
  );
  assert.deepEqual(
    sorted(charged.map((r) => r.order_id)),
    sorted(confirmed),
    'payments charged exactly the confirmed orders',
  );
});
