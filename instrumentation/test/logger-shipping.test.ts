// How createLogger's lines reach the shipping worker: in batches (one hand-over for many lines,
// not a thread wake per line), with the worker started by the first line, and never left behind
// when the process exits.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
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
