// The verdict over an instant vector as Prometheus' /api/v1/query returns it (the JSON is the
// API's; the real server is exercised in test/stack/chaos-checks.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseComparison } from '../src/checks/comparison.ts';
import { judgeSamples } from '../src/checks/prometheus.ts';

const sample = (metric: Record<string, string>, value: string) => ({
  metric,
  value: [1_700_000_000, value] as [number, string],
});

test('one sample that satisfies the comparison holds, and shows its value', () => {
  assert.deepEqual(judgeSamples([sample({ name: 'bank' }, '1')], parseComparison('== 1')), {
    holds: true,
    observed: '1 sample: 1',
  });
});

test('no sample does not hold', () => {
  assert.deepEqual(judgeSamples([], parseComparison('== 0')), { holds: false, observed: 'no sample' });
});

test('every sample must satisfy it: the failing ones are named by the labels that tell them apart', () => {
  const samples = [
    sample({ __name__: 'errors', service_name: 'bank', job: 'services' }, '0.01'),
    sample({ __name__: 'errors', service_name: 'payments', job: 'services' }, '0.31'),
    sample({ __name__: 'errors', service_name: 'orders', job: 'services' }, 'NaN'),
  ];
  const seen = judgeSamples(samples, parseComparison('< 0.05'));
  assert.equal(seen.holds, false);
  assert.equal(seen.observed, '2 of 3 samples not < 0.05: {service_name="payments"} 0.31, {service_name="orders"} NaN');
});

test('a single failing sample says which comparison it missed', () => {
  const seen = judgeSamples([sample({}, '0')], parseComparison('> 0'));
  assert.deepEqual(seen, { holds: false, observed: '1 sample: 0, not > 0' });
});

test('many samples that hold are listed up to five', () => {
  const samples = Array.from({ length: 7 }, (_, i) => sample({ instance: `i${i}` }, '1'));
  const seen = judgeSamples(samples, parseComparison('== 1'));
  assert.equal(seen.holds, true);
  assert.equal(
    seen.observed,
    '7 samples: {instance="i0"} 1, {instance="i1"} 1, {instance="i2"} 1, {instance="i3"} 1, {instance="i4"} 1, … 2 more',
  );
});
