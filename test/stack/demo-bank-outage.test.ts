// The demo with a bank that is slow and failing (a third of its calls answered 503, and half of
// them slower than payments waits, so that some charges land at the bank after payments gave
// up on them): payments' opossum breaker opens, orders whose charge failed are cancelled by
// compensation, and in the end no money is held for an order that was not confirmed — checked
// as a user would, in Prometheus and in the databases of payments and the bank, once the bank
// has recovered.
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

test('a slow, failing bank opens the breaker; sagas compensate; no money is held for an order not confirmed', async () => {
  const alice = await ShopClient.signIn(system().endpoints().gateway, 'alice');
  const placed = await Promise.all(
    Array.from({ length: 12 }, () => alice.placeOrder([{ sku: 'espresso-beans', quantity: 1 }])),
  );
  const outcomes = new Map<string, string>();
  for (const order of placed) {
    assert.equal(order.status, 202, JSON.stringify(order.body));
    const done = await alice.waitForStatus(order.body.orderId, ['confirmed', 'cancelled', 'failed'], 90_000);
    outcomes.set(order.body.orderId, String(done['status']));
  }
  assert.ok(
    [...outcomes.values()].includes('cancelled'),
    `some orders are cancelled: ${[...outcomes.values()].join(', ')}`,
  );

  // Once the orders stop, the open breaker goes half-open after its reset timeout and waits
  // there for a test call: what a user looks for is that it was open.
  await eventually(
    'the bank breaker open in Prometheus',
    async () => {
      const [sample] = await promQuery(
        'max_over_time(hopscope_circuit_breaker_state{breaker="bank",state="open"}[10m])',
      );
      return sample?.value[1] === '1' ? true : undefined;
    },
    60_000,
  );
  await eventually(
    'place-order sagas ended compensated in Prometheus',
    async () => {
      const samples = await promQuery('sum(hopscope_saga_ended_total{saga="place-order",outcome="compensated"})');
      return Number(samples[0]?.value[1] ?? 0) >= 1 ? true : undefined;
    },
    60_000,
  );

  // The bank recovers. Refunds owed (a charge whose answer never came) are retried until it
  // takes them.
  await system().restartService('bank', { BANK_FAILURE_RATE: '0', BANK_LATENCY_MS: '20', BANK_JITTER_MS: '20' });
  await eventually(
    'no refund left owed',
    async () => {
      const owed = await sql('payments', "SELECT order_id FROM payments WHERE status = 'refund_pending'");
      return owed.length === 0 ? true : undefined;
    },
    90_000,
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
