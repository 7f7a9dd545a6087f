import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { collectRuntimeMetrics } from '../src/metrics/runtime-metrics.ts';

const shape = async (registry: Registry) =>
  (await registry.getMetricsAsJSON()).map(({ name, help, type }) => ({ name, help, type }));

test("runtime metrics are prom-client's default metrics: names, help and types, in its order", async () => {
  const ours = new Registry();
  collectRuntimeMetrics(ours);
  const promClients = new Registry();
  collectDefaultMetrics({ register: promClients });
  assert.deepEqual(await shape(ours), await shape(promClients));
});

test('the process CPU counters count user and system time', async () => {
  const registry = new Registry();
  collectRuntimeMetrics(registry);
  const started = Date.now();
  while (Date.now() - started < 20); // some CPU time to count
  const value = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value ?? 0;
  const user = await value('process_cpu_user_seconds_total');
  const system = await value('process_cpu_system_seconds_total');
  assert.ok(user > 0, `user CPU ${user}`);
  const total = await value('process_cpu_seconds_total');
  assert.ok(Math.abs(total - (user + system)) < 1e-9, `total ${total}, user ${user} + system ${system}`);
});
