// How createLogger's lines reach the shipping worker: in batches (one hand-over for many lines,
// not a thread wake per line), with the worker started by the first line, never left behind
// when the process exits, and never holding the exit long when the collector is down.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { test } from 'node:test';
import { type LineSink, batchedLines } from '../src/logs/batched-lines.ts';
import { OtlpReceiver } from './helpers/otlp-receiver.ts';
import { ServiceProcess } from './helpers/service-process.ts';

/** A sink that records what it is handed, as pino's transport stream would receive it. */
function recordingSink(): LineSink & { writes: string[]; flushedSync: number; ended: boolean } {
  return {
    writes: [],
    flushedSync: 0,
    ended: false,
    write(chunk) {
      this.writes.push(chunk);
      return true;
    },
    flushSync() {
      this.flushedSync += 1;
    },
    end() {
      this.ended = true;
    },
  };
}

test('lines written in many turns are handed over together, in order, once the flush delay passes', async (t) => {
  // The delay is a timer: mocked, so that a slow machine's turns cannot outlast it.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const sink = recordingSink();
  const lines = batchedLines(() => sink);
  for (let i = 0; i < 100; i += 1) {
    lines.write(`{"n":${i}}\n`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(sink.writes.length, 0, 'nothing handed over line by line');
  t.mock.timers.tick(19);
  assert.equal(sink.writes.length, 0, 'not before the delay');
  t.mock.timers.tick(1);
  assert.equal(sink.writes.length, 1, 'one hand-over');
  assert.equal(sink.writes[0], Array.from({ length: 100 }, (_, i) => `{"n":${i}}\n`).join(''));
});

test('the sink (the shipping worker) is asked for only once a line is written, in that turn', () => {
  const sink = recordingSink();
  let asked = 0;
  const lines = batchedLines(() => {
    asked += 1;
    return sink;
  });
  assert.equal(asked, 0, 'no worker for a logger that has not logged');
  lines.write('a\n');
  assert.equal(asked, 1, 'asked for with the first line, before any flush');
  assert.equal(sink.writes.length, 0, 'the line itself still waits for its batch');
  lines.write('b\n');
  assert.equal(asked, 1, 'not again for a line joining the batch');
  lines.flush();
  assert.deepEqual(sink.writes, ['a\nb\n']);
});

test('a batch past 64 KiB is handed over at once; flushSync and end hand over what is pending first', () => {
  const sink = recordingSink();
  const lines = batchedLines(() => sink);
  const big = `${'x'.repeat(70 * 1024)}\n`;
  lines.write(big);
  assert.deepEqual(sink.writes, [big]);
  lines.write('a\n');
  lines.flushSync();
  assert.deepEqual([sink.writes.at(-1), sink.flushedSync], ['a\n', 1]);
  lines.write('b\n');
  lines.end();
  assert.deepEqual([sink.writes.at(-1), sink.ended], ['b\n', true]);
});

test('a line logged just before process.exit() still reaches the collector', async () => {
  const receiver = new OtlpReceiver();
  const otlp = await receiver.listen();
  const id = `exit-${randomBytes(4).toString('hex')}`;
  const service = new ServiceProcess('log-then-exit.mjs', {
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
    OTEL_SERVICE_NAME: 'log-then-exit',
    LINE_ID: id,
  });
  try {
    await service.ended();
    assert.equal(service.exitCode, 0);
    await receiver.waitFor('the last line', () => receiver.logs.find((log) => log.attributes['id'] === id));
  } finally {
    await service.stop();
    await receiver.close();
  }
});

// pino's exit handler blocks process.exit() until the shipping worker has closed, and the worker
// closes once its last export is done: without a deadline, ≈8.5 s of the exporter's retries
// against a refusing collector, 10 s (thread-stream's limit) against a silent one.
for (const collector of ['refusing connections', 'never answering'] as const) {
  test(`process.exit() waits at most ≈2 s for the last lines when the collector is ${collector}`, async () => {
    const { endpoint, close } = await deadCollector(collector);
    const service = new ServiceProcess('log-then-exit.mjs', {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: 'log-then-exit',
      LINE_ID: 'unshipped',
    });
    try {
      await service.ended();
      const exitedAt = Date.now();
      assert.equal(service.exitCode, 0);
      const line = service.lines.find((l) => l['id'] === 'unshipped');
      assert.ok(line, `the line still goes to stdout; stderr:\n${service.stderr.join('\n')}`);
      const exitMs = exitedAt - Number(line['time']);
      assert.ok(exitMs < 4000, `process.exit() took ${exitMs} ms`);
    } finally {
      await service.stop();
      await close();
    }
  });
}

/** An OTLP endpoint on a port nothing listens on, or on a server that accepts and never answers. */
async function deadCollector(
  kind: 'refusing connections' | 'never answering',
): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server = createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  const close = async () => {
    for (const socket of sockets) socket.destroy();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  };
  // Closed before the service starts: the port refuses connections.
  if (kind === 'refusing connections') await close();
  return { endpoint, close };
}
