// What a user sees when the process starts and stops with the register flag.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { INSTRUMENTED_MODULES } from '../src/instrumentations.ts';
import { metricValue, sampleSum } from './helpers/metrics-text.ts';
import { KIND, OtlpReceiver } from './helpers/otlp-receiver.ts';
import { deleteQueues, uniqueQueue } from './helpers/queues.ts';
import { ServiceProcess } from './helpers/service-process.ts';

/** The version of a package installed where the fixtures resolve their packages (the repository's root). */
function packageVersion(name: string): string {
  const file = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

function startupLines(service: ServiceProcess): Array<Record<string, unknown>> {
  return service.stderr
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => typeof line['msg'] === 'string' && line['msg'].startsWith('hopscope telemetry'));
}

test('invalid telemetry settings: reported naming the variable, the app serves with telemetry off', async (t) => {
  const receiver = new OtlpReceiver();
  const otlp = await receiver.listen();
  t.after(() => receiver.close());
  const queue = uniqueQueue('config');
  const api = new ServiceProcess('order-api.mjs', {
    OTEL_SERVICE_NAME: 'order-api',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
    OTEL_TRACES_SAMPLER: 'sometimes',
    HOPSCOPE_METRICS_PORT: 'ninety',
    ORDER_QUEUE: queue,
  });
  t.after(async () => {
    await api.stop();
    await deleteQueues(queue);
  });
  const port = String((await api.waitForLine('listening'))['port']);
  const response = await fetch(`http://127.0.0.1:${port}/orders`, { method: 'POST' });
  assert.equal(response.status, 202, 'the application serves');

  const [line, ...more] = startupLines(api);
  assert.equal(more.length, 0, 'one startup line');
  assert.equal(line?.['msg'], 'hopscope telemetry is off');
  const warnings = (line?.['warnings'] as string[]).join('\n');
  assert.match(warnings, /OTEL_TRACES_SAMPLER="sometimes"/);
  assert.match(warnings, /HOPSCOPE_METRICS_PORT="ninety"/);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(receiver.spans.length, 0, 'no telemetry is sent');
});

test('one startup line per process, none from worker threads (the pino transport inherits --import)', async (t) => {
  const receiver = new OtlpReceiver();
  const otlp = await receiver.listen();
  t.after(() => receiver.close());
  const queue = uniqueQueue('startup');
  const worker = new ServiceProcess('order-worker.cjs', {
    OTEL_SERVICE_NAME: 'order-worker',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
    ORDER_QUEUE: queue,
    BANK_URL: otlp,
  });
  t.after(async () => {
    await worker.stop();
    await deleteQueues(queue);
  });
  await worker.waitForLine('listening');
  await receiver.waitFor('shipped log lines (the transport worker runs)', () => receiver.logs.length > 0);
  const lines = startupLines(worker);
  assert.equal(lines.length, 1, worker.stderr.join('\n'));
  assert.equal(lines[0]?.['msg'], 'hopscope telemetry started');
  assert.deepEqual(lines[0]?.['instruments_when_loaded'], INSTRUMENTED_MODULES);
});

test('what is instrumented is what the process loaded, with versions: one line each and an info metric', async (t) => {
  const queue = uniqueQueue('patched');
  const api = new ServiceProcess('order-api.mjs', {
    OTEL_SERVICE_NAME: 'order-api',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    ORDER_QUEUE: queue,
  });
  t.after(async () => {
    await api.stop();
    await deleteQueues(queue);
  });
  const base = `http://127.0.0.1:${String((await api.waitForLine('listening'))['port'])}`;
  await fetch(`${base}/orders`, { method: 'POST' });
  const metrics = await (await fetch(`${base}/metrics`)).text();

  // express + amqplib + the package's pino logger, on node:http; no pg, no rabbitmq-client, no fetch.
  const expected = {
    http: process.versions.node,
    express: packageVersion('express'),
    amqplib: packageVersion('amqplib'),
    pino: packageVersion('pino'),
  };
  const lines = api.stderr
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line['msg'] === 'hopscope instrumented a library');
  assert.deepEqual(
    Object.fromEntries(lines.map((line) => [line['library'], line['version']])),
    expected,
    api.stderr.join('\n'),
  );
  assert.equal(lines.length, Object.keys(expected).length, 'one line per library');
  for (const [library, version] of Object.entries(expected)) {
    assert.equal(metricValue(metrics, 'hopscope_instrumented_library_info', { library, version }), 1, library);
  }
  assert.equal(sampleSum(metrics, 'hopscope_instrumented_library_info'), Object.keys(expected).length);
  assert.ok(
    (startupLines(api)[0]?.['instruments_when_loaded'] as string[]).includes('pg'),
    'the startup line says what would be instrumented, were it loaded',
  );
});

test('a library loaded before start() is named in a warning', async (t) => {
  const late = new ServiceProcess('late-start.cjs', { OTEL_SERVICE_NAME: 'late', OTEL_TRACES_EXPORTER: 'none' }, []);
  t.after(() => late.stop());
  await late.waitForLine('listening');
  const [line] = startupLines(late);
  assert.equal(line?.['level'], 'warn');
  assert.match((line?.['warnings'] as string[]).join('\n'), /loaded before hopscope, so not instrumented: express/);
  assert.ok(!(line?.['instruments_when_loaded'] as string[]).includes('express'));
});

test('SIGTERM: spans are flushed, then the process ends by the signal as it would without the package', async (t) => {
  const receiver = new OtlpReceiver();
  const otlp = await receiver.listen();
  t.after(() => receiver.close());
  const run = async (flags?: string[]) => {
    // A one-minute batch delay: only the shutdown flush can deliver the span in time.
    const env = { OTEL_SERVICE_NAME: 'plain', OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_BSP_SCHEDULE_DELAY: '60000' };
    const server = new ServiceProcess('plain-server.mjs', env, flags);
    // A failed check below would otherwise leave the server running, and the suite waiting on it.
    t.after(() => server.stop('SIGKILL'));
    const port = String((await server.waitForLine('listening'))['port']);
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'ok');
    const stoppedAt = Date.now();
    await server.stop('SIGTERM');
    return { signal: server.exitSignal, code: server.exitCode, stopMs: Date.now() - stoppedAt };
  };
  const bare = await run([]);
  const instrumented = await run();
  assert.deepEqual(
    { signal: instrumented.signal, code: instrumented.code },
    { signal: bare.signal, code: bare.code },
    'ends the same way as without the package',
  );
  assert.equal(bare.signal, 'SIGTERM');
  assert.ok(instrumented.stopMs < 5000, `stopped promptly (${instrumented.stopMs} ms)`);
  const server = receiver.spans.find((s) => s.service === 'plain' && s.kind === KIND.SERVER);
  assert.ok(server, 'the request span was flushed before the process ended');
});
