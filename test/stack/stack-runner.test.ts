// The stack runner's faults: a backend that cannot start or never becomes ready fails the
// start fast, with the backend's own log, and leaves no process behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { backendSpecs, type BackendSpec } from '../../stack/backends.ts';
import { binaries } from '../../stack/paths.ts';
import { Stack, StackStartError, alive } from '../../stack/runner.ts';

const prometheus = (): BackendSpec => backendSpecs(binaries()).find((spec) => spec.name === 'prometheus')!;

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

for (const death of ['throw', 'SIGTERM', 'SIGINT'] as const) {
  test(`a process that ends by ${death} without stopping its stack takes the backends down`, async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    const fixture = new URL('./fixtures/abandoned-stack.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, [fixture, String(port), death], { stdio: ['ignore', 'pipe', 'pipe'] });
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const pid = (JSON.parse(line) as { prometheus: number }).prometheus;
    assert.equal(alive(pid), true);
    if (death !== 'throw') child.kill(death);
    await once(child, 'exit');
    // SIGKILL is immediate, but the kernel reaps the orphan a moment later.
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(alive(pid), false, `backend ${pid} was left running`);
  });
}
