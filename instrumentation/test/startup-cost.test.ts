// What the register flag loads before the application's own code runs: every module costs
// startup time (issue 11: process start → first response). Worker threads inherit --import
// and get no telemetry, so they must not pay for the SDK; the OTLP exporters (some 230 modules
// for http/protobuf) are needed only once there is something to export.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { OtlpReceiver } from './helpers/otlp-receiver.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Loaded before the register flag, in every thread (workers inherit --import): records the
// files this thread loads, for the script to read.
const COUNT_LOADS = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module';
globalThis.loadedFiles = [];
registerHooks({ load(url, context, nextLoad) { globalThis.loadedFiles.push(url); return nextLoad(url, context); } });
`)}`;

async function runWithRegister(script: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', COUNT_LOADS, '--import', '@hopscope/instrumentation/register', '--input-type=module', '-e', script],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', OTEL_SERVICE_NAME: 'startup-cost', ...env },
      timeout: 20_000,
    },
  );
  return stdout;
}

const PACKAGE_DIST = new URL('../dist/', import.meta.url).href;

const openTelemetryFiles = (urls: string[]) => urls.filter((url) => url.includes('/node_modules/@opentelemetry/'));

// The SDK is bundled into the package's build (scripts/bundle.ts): a worker reads the register
// entry and esbuild's shared helpers, a few KB; the chunks with the SDK are some 400 KB.
const WORKER_MAX_PACKAGE_BYTES = 10_000;
const bytesOf = (urls: string[]) => urls.reduce((sum, url) => sum + statSync(new URL(url)).size, 0);

test('a worker thread started under the register flag loads none of the OpenTelemetry SDK', async () => {
  const stdout = await runWithRegister(
    `
    import { Worker } from 'node:worker_threads';
    // An eval worker inherits --input-type=module, so its script is a module too.
    const worker = new Worker('import { parentPort } from "node:worker_threads"; parentPort.postMessage(globalThis.loadedFiles);', { eval: true });
    worker.once('message', (files) => { process.stdout.write(JSON.stringify(files)); void worker.terminate(); });
    `,
    { OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
  );
  const inWorker = JSON.parse(stdout) as string[];
  assert.deepEqual(openTelemetryFiles(inWorker), [], 'OpenTelemetry files loaded in the worker');
  const ours = inWorker.filter((url) => url.startsWith(PACKAGE_DIST));
  assert.ok(ours.includes(`${PACKAGE_DIST}register.js`), 'the worker did not run the built register entry');
  assert.ok(
    bytesOf(ours) <= WORKER_MAX_PACKAGE_BYTES,
    `the worker read ${bytesOf(ours)} bytes of the build: ${ours.join(', ')}`,
  );
});

test('the OTLP exporter loads with the first export, not at start, and the span arrives', async (t) => {
  const receiver = new OtlpReceiver();
  const otlp = await receiver.listen();
  t.after(() => receiver.close());
  const stdout = await runWithRegister(
    `
    import { trace } from '@opentelemetry/api';
    import { forceFlush } from '@hopscope/instrumentation';
    const exporterFiles = () => globalThis.loadedFiles.filter((url) => /@opentelemetry\\/(exporter-|otlp-)/.test(url)).length;
    const atStart = exporterFiles();
    trace.getTracer('startup-cost').startSpan('first span').end();
    await forceFlush();
    process.stdout.write(JSON.stringify({ atStart, afterExport: exporterFiles() }));
    `,
    { OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_LOGS_EXPORTER: 'none' },
  );
  const { atStart, afterExport } = JSON.parse(stdout) as { atStart: number; afterExport: number };
  assert.equal(atStart, 0, 'exporter files loaded by the time the application runs');
  assert.ok(afterExport > 0, 'the exporter loaded for the first export');
  await receiver.waitFor('the span', () => receiver.spans.find((span) => span.name === 'first span'));
});

// An ESM import of node:http builds its module namespace by reading every export, and the
// WebSocket, CloseEvent and MessageEvent getters load the undici bundled in Node (some 80 ms
// of start → first response). An application that never uses fetch or WebSocket must not pay it.
test('the register flag does not load the undici bundled in Node', async () => {
  const stdout = await runWithRegister(
    `process.stdout.write(JSON.stringify(process.moduleLoadList.filter((name) => name.includes('undici'))));`,
    { OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
  );
  assert.deepEqual(JSON.parse(stdout), []);
});

// prom-client's own process CPU counter requires @opentelemetry/api's CommonJS build: 51
// modules next to the ESM build the SDK uses (runtime metrics are collected without it).
test('the register flag loads one build of @opentelemetry/api', async () => {
  const stdout = await runWithRegister(
    `process.stdout.write(JSON.stringify(globalThis.loadedFiles.filter((url) => url.includes('/@opentelemetry/api/') && url.endsWith('.cjs'))));`,
    { OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
  );
  assert.deepEqual(JSON.parse(stdout), [], "@opentelemetry/api's CommonJS files loaded");
});

// Each instrumentation package costs startup time; an application pays for those of the
// libraries it loads. pg loaded after start is still instrumented (test/pg.test.ts: its spans).
// A package loaded on demand is a file of its own in the build (dist/on-demand/<package>.js);
// http's and undici's instrumentations are part of the startup code: every service has them.
test('instrumentation packages load with their library, not at start', async () => {
  const stdout = await runWithRegister(
    `
    import { createRequire } from 'node:module';
    const packages = () => [...new Set(globalThis.loadedFiles.map((url) => url.match(/@opentelemetry\\/(instrumentation-[a-z-]+)(?:\\/|\\.js$)/)?.[1]).filter(Boolean))].sort();
    const atStart = packages();
    createRequire(import.meta.url)('pg');
    process.stdout.write(JSON.stringify({ atStart, afterPg: packages() }));
    `,
    { OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
  );
  const { atStart, afterPg } = JSON.parse(stdout) as { atStart: string[]; afterPg: string[] };
  assert.deepEqual(atStart, []);
  assert.deepEqual(afterPg, ['instrumentation-pg']);
});

// Every upstream instrumentation asks for a logger as it is constructed: asking must not load it.
test("the SDK's log provider loads with the first record emitted (winston, bunyan, console capture), not at start", async () => {
  const stdout = await runWithRegister(
    `
    import { logs } from '@opentelemetry/api';
    const sdkLogs = () => globalThis.loadedFiles.some((url) => /\\/@opentelemetry\\/sdk-logs(\\/|\\.js$)/.test(url));
    const atStart = sdkLogs();
    const logger = logs.getLogger('first');
    const afterGetLogger = sdkLogs();
    logger.emit({ body: 'first record' });
    process.stdout.write(JSON.stringify({ atStart, afterGetLogger, afterEmit: sdkLogs() }));
    `,
    // Logs exported (the default), to an address nothing listens on: the record's export at
    // exit is given up after the timeout.
    {
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTEL_EXPORTER_OTLP_TIMEOUT: '300',
    },
  );
  assert.deepEqual(JSON.parse(stdout), { atStart: false, afterGetLogger: false, afterEmit: true });
});

// pino starts the log shipping worker as the application starts, on the cores it starts on. Its
// transport is a self-contained build (scripts/bundle.ts): the shared chunks and the API's
// module files took the worker ≈20 ms longer to be ready.
test("the log shipping worker's transport is one file of the build that imports only Node's modules", () => {
  const source = readFileSync(new URL('logs/otlp-log-transport.js', PACKAGE_DIST), 'utf8');
  const imported = [...source.matchAll(/^import\b[^'"]*["']([^"']+)["']/gm)].map((match) => match[1]);
  assert.ok(imported.length > 0, 'no static import found: the check no longer reads the build');
  assert.deepEqual(
    imported.filter((specifier) => !specifier.startsWith('node:')),
    [],
    'the transport imports other files at start',
  );
});
