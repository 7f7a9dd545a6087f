// The projection alone (no database, no broker): every arrival order of an order's events
// ends at the same row, and repeating events changes nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type OrderEvent, emptyView, foldEvents, project } from '../src/domain/order-projection.ts';

const orderId = 'o-1';
const lifecycle: OrderEvent[] = [
  {
    type: 'order.placed',
    body: {
      v: 1,
      orderId,
      customer: 'alice',
      items: [{ sku: 'green-tea', quantity: 2 }],
      placedAt: '2026-01-02T03:04:05Z',
    },
  },
  { type: 'order.confirmed', body: { v: 1, orderId, customer: 'alice', amountCents: 1800, paymentId: 'pay-1' } },
  { type: 'shipment.scheduled', body: { v: 1, orderId, shipmentId: 'shp-1' } },
  { type: 'order.cancellation-requested', body: { v: 1, orderId, sagaId: 'saga-1' } },
  { type: 'shipment.cancelled', body: { v: 1, orderId, sagaId: 'saga-1' } },
  { type: 'order.cancelled', body: { v: 1, orderId, reason: 'cancelled by the customer' } },
];

const expected = {
  orderId,
  customer: 'alice',
  status: 'cancelled',
  items: [{ sku: 'green-tea', quantity: 2 }],
  amountCents: 1800,
  paymentId: 'pay-1',
  cancellation: 'requested',
  reason: 'cancelled by the customer',
  placedAt: '2026-01-02T03:04:05.000Z',
  shipment: { shipmentId: 'shp-1', status: 'cancelled' },
};

function* permutations<T>(items: T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield items;
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of permutations(rest)) yield [items[i], ...tail];
  }
}

test('every arrival order of the events converges to the same row', () => {
  let orders = 0;
  for (const order of permutations(lifecycle)) {
    assert.deepEqual(foldEvents(order).get(orderId), expected, order.map((e) => e.type).join(' → '));
    orders++;
  }
  assert.equal(orders, 720);
});

test('an event applied twice changes nothing', () => {
  let view = emptyView(orderId);
  for (const event of lifecycle) {
    view = project(view, event);
    assert.deepEqual(project(view, event), view, event.type);
  }
});

test('the status only moves forward: a late confirmation does not undo a failure', () => {
  const placed = lifecycle[0];
  const failed: OrderEvent = { type: 'order.failed', body: { v: 1, orderId, reason: 'reserve-stock timed out' } };
  const view = foldEvents([placed, failed, lifecycle[1]]).get(orderId);
  assert.equal(view?.status, 'failed');
  assert.equal(view?.reason, 'reserve-stock timed out');
  assert.equal(view?.paymentId, 'pay-1'); // the facts it carries are still kept
});
