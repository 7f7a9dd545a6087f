// The collector restarting under traffic: the service keeps serving every request, and once
// the collector is back its exporters deliver again (new traces reach Jaeger, new logs Loki).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIXTURE_SERVICE } from '../../stack/backends.ts';
import { jaegerTrace, lokiQuery } from './helpers/backends.ts';
import { eventually } from './helpers/eventually.ts';
import { useStackWithShop } from './helpers/stack-with-shop.ts';

const { stack, shop } = useStackWithShop();

test('the service serves through a collector restart and its exporters recover', async () => {
  const statuses = new Map<number, number>();
  let restarting = true;
  // Requests keep coming while the collector is down and coming back.
  const traffic = (async () => {
    while (restarting) {
      const { status } = await shop().checkout('ok');
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    await stack().restart('otelcol');
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    restarting = false;
    await traffic;
  }
  assert.deepEqual([...statuses.keys()], [200], `every request served: ${JSON.stringify([...statuses])}`);
  assert.ok((statuses.get(200) ?? 0) > 10, 'traffic ran during the restart');

  // An error trace is always kept by tail sampling, so it must reach Jaeger after the restart.
  const { traceId } = await shop().checkout('error');
  await eventually(`trace ${traceId} in Jaeger after the restart`, () => jaegerTrace(traceId));
  await eventually(`log lines of ${traceId} in Loki after the restart`, async () => {
    const found = await lokiQuery(`{service_name="${FIXTURE_SERVICE}"} | trace_id="${traceId}"`);
    return found.length > 0 ? found : undefined;
  });
});
