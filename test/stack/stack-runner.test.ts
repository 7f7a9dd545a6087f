// The stack runner's faults: a backend that cannot start or never becomes ready fails the
// start fast, with the backend's own log, and leaves no process behind.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { backendSpecs, type BackendSpec } from '../../stack/backends.ts';
import { binaries } from '../../stack/paths.ts';
import { Stack, StackStartError } from '../../stack/runner.ts';

const prometheus = (): BackendSpec => backendSpecs(binaries()).find((spec) => spec.name === 'prometheus')!;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a backend that exits at start fails the start at once, with its own log tail', async () => {
  const broken = { ...prometheus(), args: ['--config.file=/nonexistent/prometheus.yml'] };
  const started = Date.now();
  await assert.rejects(Stack.start({ specs: [broken] }), (error: Error) => {
    assert.ok(error instanceof StackStartError);
    assert.match(error.message, /^prometheus exited/);
    // Prometheus's own words about the missing file, not ours.
    assert.match(error.message, /nonexistent\/prometheus\.yml/);
    return true;
  });
  assert.ok(Date.now() - started < 10_000, 'fails fast');
});

test('a backend that never becomes ready fails after its timeout and is stopped', async () => {
  let pid: number | undefined;
  const hanging: BackendSpec = {
    ...prometheus(),
    name: 'loki',
    command: '/bin/sh',
    args: ['-c', 'echo "pretending to start"; exec sleep 600'],
    readyUrl: 'http://127.0.0.1:9/never',
    ports: [],
    prepare() {},
  };
  const started = Date.now();
  await assert.rejects(Stack.start({ specs: [hanging], readyTimeoutMs: 1500 }), (error: Error) => {
    assert.match(error.message, /^loki not ready at http:\/\/127\.0\.0\.1:9\/never after 1500 ms/);
    assert.match(error.message, /pretending to start/);
    pid = Number(/pid (\d+)/.exec(error.message)?.[1] ?? NaN);
    return true;
  });
  assert.ok(Date.now() - started < 15_000, 'bounded by the timeout');
  if (Number.isInteger(pid)) assert.equal(alive(pid!), false, 'the hanging process is stopped');
});

test('a port already taken is named before anything starts', async (t) => {
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  t.after(() => squatter.close());
  const port = (squatter.address() as AddressInfo).port;
  await assert.rejects(
    Stack.start({ specs: [{ ...prometheus(), ports: [port] }] }),
    new RegExp(`prometheus: port 127\\.0\\.0\\.1:${port} is already in use`),
  );
});
