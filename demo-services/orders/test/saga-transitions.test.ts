// The place-order saga's table and transition function alone (pure, no broker or database):
// every path through it, read as the table says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type SagaDecision,
  type SagaInput,
  type SagaState,
  beginSaga,
  placeOrderSaga,
  transition,
} from '../src/domain/place-order-saga.ts';

const saga = placeOrderSaga(1000);
const data = { orderId: 'o1', customer: 'alice', items: [{ sku: 'green-tea', quantity: 1 }] };

/** Feeds the inputs one after another from the start; returns every decision. */
function run(...inputs: SagaInput[]): SagaDecision[] {
  let state: SagaState = beginSaga(saga, data).state;
  return inputs.map((input) => {
    const decision = transition(saga, state, input);
    if (decision.kind !== 'ignore') state = decision.state;
    return decision;
  });
}

const reply = (step: 'reserve-stock' | 'charge-payment', phase: 'execute' | 'compensate', ok: boolean, extra = {}) =>
  ({ kind: 'reply', step, phase, ok, ...extra }) as const;
const sent = (d: SagaDecision) =>
  d.kind === 'ignore' ? [] : d.kind === 'await' ? [d.send.type] : d.send.map((c) => c.type);

test('begins by reserving stock', () => {
  const first = beginSaga(saga, data);
  assert.equal(first.send.type, 'inventory.reserve');
  assert.equal(first.timeoutMs, 1000);
});

test('all steps ok → completed, with the price and the payment id', () => {
  const [reserved, charged] = run(
    reply('reserve-stock', 'execute', true, { amountCents: 500 }),
    reply('charge-payment', 'execute', true, { paymentId: 'p1' }),
  );
  assert.deepEqual(sent(reserved), ['payments.charge']);
  assert.equal(charged.kind, 'finish');
  assert.equal(charged.kind === 'finish' && charged.outcome, 'completed');
  assert.deepEqual(charged.kind === 'finish' && charged.state.data, { ...data, amountCents: 500, paymentId: 'p1' });
});

test('payment fails → refund (a no-op if nothing was taken), release the stock, then compensated', () => {
  const [, failed, refunded, released] = run(
    reply('reserve-stock', 'execute', true, { amountCents: 500 }),
    reply('charge-payment', 'execute', false, { reason: 'card declined' }),
    reply('charge-payment', 'compensate', true),
    reply('reserve-stock', 'compensate', true),
  );
  assert.deepEqual(sent(failed), ['payments.refund']);
  assert.deepEqual(sent(refunded), ['inventory.release']);
  assert.equal(released.kind === 'finish' && released.outcome, 'compensated');
  assert.equal(released.kind === 'finish' && released.reason, 'charge-payment failed: card declined');
});

test('an ok reply without what the step yields counts as a failure', () => {
  const [decision, released] = run(reply('reserve-stock', 'execute', true), reply('reserve-stock', 'compensate', true));
  assert.deepEqual(sent(decision), ['inventory.release']);
  assert.equal(released.kind === 'finish' && released.outcome, 'compensated');
  assert.match(released.kind === 'finish' ? (released.reason ?? '') : '', /without amountCents/);
});

test('no reply to the charge → refund it (it may have happened), release, then timed_out', () => {
  const [, timedOut, refunded, released] = run(
    reply('reserve-stock', 'execute', true, { amountCents: 500 }),
    { kind: 'timeout' },
    reply('charge-payment', 'compensate', true),
    reply('reserve-stock', 'compensate', true),
  );
  assert.deepEqual(sent(timedOut), ['payments.refund']);
  assert.deepEqual(sent(refunded), ['inventory.release']);
  assert.equal(released.kind === 'finish' && released.outcome, 'timed_out');
});

test('a compensation that fails or gets no reply ends the saga, sending the remaining compensations', () => {
  const [, , failed] = run(
    reply('reserve-stock', 'execute', true, { amountCents: 500 }),
    { kind: 'timeout' },
    reply('charge-payment', 'compensate', false, { reason: 'bank down' }),
  );
  assert.equal(failed.kind === 'finish' && failed.outcome, 'failed');
  assert.deepEqual(sent(failed), ['inventory.release']);
  const [, , stuck] = run(
    reply('reserve-stock', 'execute', true, { amountCents: 500 }),
    { kind: 'timeout' },
    { kind: 'timeout' },
  );
  assert.equal(stuck.kind === 'finish' && stuck.outcome, 'timed_out');
  assert.deepEqual(sent(stuck), ['inventory.release']);
});

test('a reply for another step or phase is ignored', () => {
  const [, stale, late] = run(
    reply('reserve-stock', 'execute', true, { amountCents: 500 }),
    reply('reserve-stock', 'execute', true, { amountCents: 500 }),
    reply('charge-payment', 'compensate', true),
  );
  assert.equal(stale.kind, 'ignore');
  assert.equal(late.kind, 'ignore');
});
