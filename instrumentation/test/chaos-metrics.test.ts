// The chaos gauge as a dashboard reads it: one series per fault, 1 while on, 0 once off;
// a fault name that is not a bounded label value is refused where it is written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { setChaosFaultActive } from '../src/index.ts';
import { metricValue } from './helpers/metrics-text.ts';

test('hopscope_chaos_fault_active follows the knob, per fault', async () => {
  const registry = new Registry();
  setChaosFaultActive('http.latency', false, registry);
  setChaosFaultActive('crash', false, registry);
  setChaosFaultActive('http.latency', true, registry);
  const on = await registry.metrics();
  assert.equal(metricValue(on, 'hopscope_chaos_fault_active', { fault: 'http.latency' }), 1);
  assert.equal(metricValue(on, 'hopscope_chaos_fault_active', { fault: 'crash' }), 0);
  setChaosFaultActive('http.latency', false, registry);
  assert.equal(metricValue(await registry.metrics(), 'hopscope_chaos_fault_active', { fault: 'http.latency' }), 0);
});

test('a fault name that would be an unbounded label is refused', () => {
  assert.throws(() => setChaosFaultActive('order 42 / customer alice', true, new Registry()), /chaos fault must be/);
});
