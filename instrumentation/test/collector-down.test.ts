// The collector unreachable or hanging: the service keeps serving every request, memory
// stays bounded, and what could not be exported is counted on /metrics.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { postOrders } from './helpers/load.ts';
import { sampleSum } from './helpers/metrics-text.ts';
import { deleteQueues, uniqueQueue } from './helpers/queues.ts';
import { ServiceProcess } from './helpers/service-process.ts';

const SMALL_QUEUES = {
  OTEL_EXPORTER_OTLP_TIMEOUT: '300',
  OTEL_BSP_MAX_QUEUE_SIZE: '256',
  OTEL_BLRP_MAX_QUEUE_SIZE: '256',
  OTEL_BSP_SCHEDULE_DELAY: '100',
  OTEL_BLRP_SCHEDULE_DELAY: '100',
};

const REGISTER = ['--expose-gc', '--import', '@hopscope/instrumentation/register'];

async function heapUsedAfterGc(baseUrl: string): Promise<number> {
  const body = (await (await fetch(`${baseUrl}/debug/heap`)).json()) as { heap_used_bytes: number };
  return body.heap_used_bytes;
}

/** `protocol`: the logs take a path of their own with http/protobuf (encoded-log-batches.ts). */
async function serveUnderDeadCollector(endpoint: string, protocol: 'http/json' | 'http/protobuf') {
  const queue = uniqueQueue('collector-down');
  const api = new ServiceProcess(
    'order-api.mjs',
    {
      ...SMALL_QUEUES,
      OTEL_SERVICE_NAME: 'order-api',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      ORDER_QUEUE: queue,
    },
    REGISTER,
  );
  try {
    const baseUrl = `http://127.0.0.1:${String((await api.waitForLine('listening'))['port'])}`;
    // The warm-up fills the bounded queues; what the load adds after that must not be kept.
    const warmup = await postOrders(baseUrl, 500);
    const heapAfterWarmup = await heapUsedAfterGc(baseUrl);
    const load = await postOrders(baseUrl, 3000);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let failed exports and log reports land
    const heapAfterLoad = await heapUsedAfterGc(baseUrl);
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    return { warmup, load, heapGrowth: heapAfterLoad - heapAfterWarmup, metrics };
  } finally {
    await api.stop();
    await deleteQueues(queue);
  }
}

function assertServedAndCounted(result: Awaited<ReturnType<typeof serveUnderDeadCollector>>) {
  assert.deepEqual([...result.warmup], [[202, 500]]);
  assert.deepEqual([...result.load], [[202, 3000]], 'every request served');
  const lostSpans =
    sampleSum(result.metrics, 'hopscope_telemetry_spans_dropped_total') +
    sampleSum(result.metrics, 'hopscope_telemetry_spans_export_failed_total');
  const lostLogs =
    sampleSum(result.metrics, 'hopscope_telemetry_log_records_dropped_total') +
    sampleSum(result.metrics, 'hopscope_telemetry_log_records_export_failed_total');
  assert.ok(lostSpans > 0, 'lost spans are counted');
  assert.ok(lostLogs > 0, 'lost log records are counted');
  assert.equal(sampleSum(result.metrics, 'hopscope_telemetry_spans_exported_total'), 0);
  // 3000 requests make ~15000 spans and 3000 log records: kept, they would be well over 8 MiB.
  const growthMiB = result.heapGrowth / 2 ** 20;
  assert.ok(growthMiB < 8, `memory stays bounded: the heap grew ${growthMiB.toFixed(1)} MiB over 3000 requests`);
}

test('collector unreachable (connection refused), http/json', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  assertServedAndCounted(await serveUnderDeadCollector(`http://127.0.0.1:${port}`, 'http/json'));
});

test('collector hanging (accepts, never answers), http/protobuf (the default)', async (t) => {
  const hanging = createServer(() => {});
  t.after(() => {
    hanging.closeAllConnections();
    hanging.close();
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const port = (hanging.address() as AddressInfo).port;
  assertServedAndCounted(await serveUnderDeadCollector(`http://127.0.0.1:${port}`, 'http/protobuf'));
});
