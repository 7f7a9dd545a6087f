// The http/protobuf log transport's batching, against a real HTTP receiver: batches of
// maxExportBatchSize records, every record counted once as exported, dropped or failed, and a
// collector that never answers costs at most maxQueueSize waiting records.
import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { BatchConfig } from '../src/config.ts';
import { EncodedLogBatches } from '../src/logs/encoded-log-batches.ts';
import type { ProcessorOutcome } from '../src/metrics/processor-outcomes.ts';
import { decodeLogsRequest } from './helpers/otlp-proto.ts';

const BATCH: BatchConfig = {
  maxQueueSize: 100,
  maxExportBatchSize: 50,
  scheduledDelayMillis: 50,
  exportTimeoutMillis: 500,
};

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/logs`;
}

function batchesTo(url: string, batch: BatchConfig) {
  const counts: Record<ProcessorOutcome, number> = { exported: 0, dropped: 0, failed: 0 };
  const batches = new EncodedLogBatches({
    target: { url, protocol: 'http/protobuf', headers: { 'x-tenant': 'hopscope' }, timeoutMillis: 5000 },
    serviceName: 'batches-test',
    scopeName: '@hopscope/instrumentation',
    batch,
    count: (outcome, records) => void (counts[outcome] += records),
  });
  return { batches, counts };
}

function closeAll(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

test('lines go in batches of maxExportBatchSize, the rest after the delay, each record counted as exported', async () => {
  const received: Array<{ records: string[]; tenant: string | undefined; contentType: string | undefined }> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const decoded = decodeLogsRequest(Buffer.concat(chunks)) as {
        resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ body: { stringValue: string } }> }> }>;
      };
      received.push({
        records: decoded.resourceLogs[0].scopeLogs[0].logRecords.map((record) => record.body.stringValue),
        tenant: request.headers['x-tenant'] as string | undefined,
        contentType: request.headers['content-type'],
      });
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  const url = await listening(server);
  try {
    const { batches, counts } = batchesTo(url, BATCH);
    for (let i = 0; i < 120; i++) batches.add({ level: 30, msg: `line ${i}` });
    // Two full batches go at once; the last 20 lines wait for the delay.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(
      received.map((request) => request.records.length),
      [50, 50, 20],
    );
    assert.deepEqual(
      received.flatMap((request) => request.records),
      Array.from({ length: 120 }, (_, i) => `line ${i}`),
    );
    assert.ok(
      received.every((request) => request.tenant === 'hopscope' && request.contentType === 'application/x-protobuf'),
    );
    await batches.shutdown();
    assert.deepEqual(counts, { exported: 120, dropped: 0, failed: 0 });
  } finally {
    await closeAll(server);
  }
});

test('a collector that never answers: past maxQueueSize lines are dropped, exports time out as failed, every record counted once', async () => {
  const server = createServer(() => {}); // accepts, never answers
  const url = await listening(server);
  try {
    const { batches, counts } = batchesTo(url, BATCH);
    for (let i = 0; i < 400; i++) batches.add({ level: 30, msg: `line ${i}` });
    // One batch of 50 in flight, 100 waiting: the other 250 are dropped as they come.
    assert.equal(counts.dropped, 250);
    await batches.flush();
    assert.deepEqual(counts, { exported: 0, dropped: 250, failed: 150 });
  } finally {
    await closeAll(server);
  }
});
