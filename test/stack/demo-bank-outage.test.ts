// The demo with its bank down (every call fails): payments' opossum breaker opens, orders are
// cancelled by compensation, and no money is left taken, as a user sees it in Prometheus and
// in the databases of payments and the bank.
import assert from 'node:assert/strict';
import test from 'node:test';
import { promQuery } from './helpers/backends.ts';
import { useDemo } from './helpers/demo.ts';
import { eventually } from './helpers/eventually.ts';
import { ShopClient } from './helpers/shop-client.ts';

const { system, sql } = useDemo({ serviceEnv: { bank: { BANK_FAILURE_RATE: '1' } } });

test('a failing bank opens the breaker; sagas compensate; no charge is left without a refund', async () => {
  const alice = await ShopClient.signIn(system().endpoints().gateway, 'alice');
  const placed = [];
  for (let i = 0; i < 10; i++) placed.push(await alice.placeOrder([{ sku: 'espresso-beans', quantity: 1 }]));
  for (const order of placed) {
    assert.equal(order.status, 202, JSON.stringify(order.body));
    const done = await alice.waitForStatus(order.body.orderId, ['confirmed', 'cancelled', 'failed'], 60_000);
    assert.equal(done['status'], 'cancelled', `order ${order.body.orderId}: ${JSON.stringify(done)}`);
  }

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
      return Number(samples[0]?.value[1] ?? 0) >= 10 ? true : undefined;
    },
    60_000,
  );

  const charged = await sql('payments', "SELECT order_id FROM payments WHERE status = 'charged'");
  assert.deepEqual(charged, [], 'no payment is left charged');
  const unrefunded = await sql('bank', 'SELECT reference FROM charges WHERE refunded_at IS NULL');
  assert.deepEqual(unrefunded, [], 'the bank holds no money of a cancelled order');
});
