// `npm run bench`: measures, side by side in one run, what the instrumentation costs.
//   1. an express JSON endpoint with one log line per request: bare vs hopscope vs the
//      OpenTelemetry zero-code peer, 100% sampled, all exporting to the same local sink,
//      load from a second process (autocannon);
//   2. a RabbitMQ publish → consume loop: bare vs hopscope;
//   3. a call through a circuit breaker (cockatiel, opossum): with vs without breaker telemetry.
// Ratios are to bare, measured in this run on this machine; absolute numbers are not comparable
// across machines. BENCH_SECONDS sets the load duration (default 10), BENCH_MESSAGES the loop size.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { SERVICES_ENV } from '../instrumentation/test/helpers/test-services.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const APPS = fileURLToPath(new URL('./apps/', import.meta.url));
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = 16;
const STARTS = 3;

interface Variant {
  name: string;
  execArgv: string[];
  env: Record<string, string>;
}

const HOPSCOPE: Variant = {
  name: 'hopscope',
  execArgv: ['--import', '@hopscope/instrumentation/register'],
  env: { BENCH_LOGGER: 'hopscope' },
};
const VARIANTS: Variant[] = [
  { name: 'bare', execArgv: [], env: {} },
  HOPSCOPE,
  {
    name: 'otel zero-code',
    // The peer does not register an ESM loader hook by itself; its docs add this flag.
    execArgv: [
      '--experimental-loader=@opentelemetry/instrumentation/hook.mjs',
      '--import',
      '@opentelemetry/auto-instrumentations-node/register',
    ],
    env: {
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'none',
      // Cloud detectors would query metadata addresses off this machine; keep to local ones.
      OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    },
  },
];

type Message = { listening?: number; rss?: number; messagesPerSecond?: number; callsPerSecond?: number };

function startApp(script: string, variant: Variant, env: Record<string, string>): ChildProcess {
  return fork(`${APPS}${script}`, {
    cwd: ROOT,
    execArgv: ['--disable-warning=ExperimentalWarning', ...variant.execArgv],
    env: {
      PATH: process.env['PATH'] ?? '',
      ...SERVICES_ENV,
      OTEL_SERVICE_NAME: 'bench',
      OTEL_TRACES_SAMPLER: 'always_on',
      ...variant.env,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
}

async function nextMessage(child: ChildProcess, key: keyof Message): Promise<number> {
  for (;;) {
    const [message] = (await once(child, 'message')) as [Message];
    const value = message[key];
    if (value !== undefined) return value;
  }
}

/** Waits for an app that runs a job and exits by itself; a crash fails the bench instead of passing unnoticed. */
async function ended(child: ChildProcess, script: string): Promise<void> {
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new Error(`${script} ended with ${code ?? signal}`);
}

/** SIGTERM, as `docker stop` sends; true if the process ended by it within 3 s (else it is killed). */
async function stop(child: ChildProcess): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return signal !== 'SIGKILL';
}

async function load(port: number, seconds: number): Promise<{ rps: number; p99: number; errors: number }> {
  const cannon = spawn(
    process.execPath,
    [
      `${ROOT}node_modules/autocannon/autocannon.js`,
      '-j',
      '-c',
      String(CONNECTIONS),
      '-d',
      String(seconds),
      `http://127.0.0.1:${port}/orders/42`,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  cannon.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await once(cannon, 'exit');
  const result = JSON.parse(out) as {
    requests: { average: number };
    latency: { p99: number };
    errors: number;
    non2xx: number;
  };
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

async function benchExpress(sinkUrl: string) {
  const rows = [];
  for (const variant of VARIANTS) {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl };
    const startMs: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const started = performance.now();
      const app = startApp('express-json.mjs', variant, env);
      await nextMessage(app, 'listening');
      startMs.push(performance.now() - started);
      await stop(app);
    }
    const app = startApp('express-json.mjs', variant, env);
    const port = await nextMessage(app, 'listening');
    await load(port, Math.min(3, SECONDS)); // warm-up: JIT, pools, first exports
    const measured = await load(port, SECONDS);
    app.send('rss');
    const rss = await nextMessage(app, 'rss');
    const endsOnSigterm = await stop(app);
    rows.push({ variant: variant.name, ...measured, startMs: median(startMs), rss, endsOnSigterm });
  }
  return rows;
}

async function benchAmqp(sinkUrl: string) {
  const rows = [];
  for (const variant of [VARIANTS[0], HOPSCOPE]) {
    const app = startApp('amqp-loop.mjs', variant, { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl });
    const messagesPerSecond = await nextMessage(app, 'messagesPerSecond');
    await ended(app, 'amqp-loop.mjs');
    rows.push({ variant: variant.name, messagesPerSecond });
  }
  return rows;
}

async function benchBreakers() {
  const rows = [];
  for (const library of ['cockatiel', 'opossum']) {
    const rates: number[] = [];
    for (const telemetry of ['0', '1']) {
      const app = startApp('breaker-calls.mjs', VARIANTS[0], { BENCH_LIBRARY: library, BENCH_TELEMETRY: telemetry });
      rates.push(await nextMessage(app, 'callsPerSecond'));
      await ended(app, 'breaker-calls.mjs');
    }
    rows.push({ library, without: rates[0], with: rates[1] });
  }
  return rows;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const pad = (value: string | number, width: number) => String(value).padStart(width);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

const sink = fork(fileURLToPath(new URL('./otlp-sink.mjs', import.meta.url)), {
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
try {
  const sinkUrl = `http://127.0.0.1:${await nextMessage(sink, 'listening')}`;
  const express = await benchExpress(sinkUrl);
  const bare = express[0];
  console.log(`\nexpress JSON endpoint, one log line per request, 100% sampled, OTLP to a local sink`);
  console.log(
    `(${CONNECTIONS} connections, ${SECONDS}s after a warm-up; start = process start → listening, median of ${STARTS})\n`,
  );
  console.log(
    `${'variant'.padEnd(16)}${pad('req/s', 9)}${pad('vs bare', 9)}${pad('p99 ms', 8)}${pad('errors', 8)}${pad('start ms', 10)}${pad('RSS MiB', 9)}  ends on SIGTERM`,
  );
  for (const row of express) {
    console.log(
      `${row.variant.padEnd(16)}${pad(row.rps.toFixed(0), 9)}${pad((row.rps / bare.rps).toFixed(2), 9)}${pad(row.p99, 8)}${pad(row.errors, 8)}${pad(row.startMs.toFixed(0), 10)}${pad(mib(row.rss), 9)}  ${row.endsOnSigterm ? 'yes' : 'no (killed after 3 s)'}`,
    );
  }
  const amqp = await benchAmqp(sinkUrl);
  console.log(
    `\nRabbitMQ publish → consume loop (${process.env['BENCH_MESSAGES'] ?? 5000} messages, publisher confirms)\n`,
  );
  console.log(`${'variant'.padEnd(16)}${pad('msg/s', 9)}${pad('vs bare', 9)}`);
  for (const row of amqp) {
    console.log(
      `${row.variant.padEnd(16)}${pad(row.messagesPerSecond.toFixed(0), 9)}${pad((row.messagesPerSecond / amqp[0].messagesPerSecond).toFixed(2), 9)}`,
    );
  }
  const breakers = await benchBreakers();
  console.log(`\nA call through a circuit breaker, inside a span (200000 calls): breaker telemetry on vs off\n`);
  console.log(`${'library'.padEnd(16)}${pad('calls/s off', 13)}${pad('calls/s on', 12)}${pad('on / off', 10)}`);
  for (const row of breakers) {
    console.log(
      `${row.library.padEnd(16)}${pad(row.without.toFixed(0), 13)}${pad(row.with.toFixed(0), 12)}${pad((row.with / row.without).toFixed(2), 10)}`,
    );
  }
} finally {
  sink.kill();
}
