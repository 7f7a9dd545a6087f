// npm run demo      builds what is missing, starts everything, prints the endpoints, runs
//                   the load generator, and stops everything on Ctrl-C or SIGTERM.
// npm run demo:up   the same in the background; ready when .demo/endpoints.json is written.
// npm run demo:down stops what demo:up started.
// npm run demo:status the memory (RSS and PSS) of each process of the running demo, and the total.
// Options (after `--`): --no-load, --rate <requests/s> (default 2), --duration <30s|5m|1h> (default 5m).
// Chaos is on (npm run chaos): a random admin token, written to .demo/endpoints.json (mode 0600),
// unless HOPSCOPE_CHAOS_TOKEN names one; HOPSCOPE_CHAOS=off turns it off.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBuild } from './demo/build.ts';
import { DEMO_DIR, DEMO_LOG_DIR, DemoSystem, type Endpoints, type LoadOptions } from './demo/system.ts';
import { REPO_ROOT } from './paths.ts';
import { alive, stopPid } from './runner.ts';

const ENDPOINTS_FILE = join(DEMO_DIR, 'endpoints.json');
const RUNNER_PID_FILE = join(DEMO_DIR, 'runner.pid');
const PIDS_FILE = join(DEMO_DIR, 'pids.json');
const RUNNER_LOG = join(DEMO_LOG_DIR, 'runner.log');

const say = (line: string) => console.log(line);

function options() {
  const { values } = parseArgs({
    args: process.argv.slice(3),
    options: {
      'no-load': { type: 'boolean', default: false },
      rate: { type: 'string', default: '2' },
      duration: { type: 'string', default: '5m' },
    },
  });
  const rate = Number(values.rate);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 50)
    throw new Error(`--rate ${values.rate}: 0 < rate ≤ 50 requests/s`);
  if (!/^\d+[smh]$/.test(values.duration)) throw new Error(`--duration ${values.duration}: like 30s, 5m or 1h`);
  return { load: !values['no-load'], rate, duration: values.duration };
}

function runnerAlive(): number | undefined {
  if (!existsSync(RUNNER_PID_FILE)) return undefined;
  const pid = Number(readFileSync(RUNNER_PID_FILE, 'utf8'));
  return Number.isInteger(pid) && alive(pid) ? pid : undefined;
}

async function run(): Promise<void> {
  const opts = options();
  const running = runnerAlive();
  if (running) throw new Error(`the demo is already running (pid ${running}); \`npm run demo:down\` stops it`);
  mkdirSync(DEMO_LOG_DIR, { recursive: true });
  rmSync(ENDPOINTS_FILE, { force: true });
  writeFileSync(RUNNER_PID_FILE, String(process.pid));

  const load: LoadOptions | undefined = opts.load ? { rate: opts.rate, duration: opts.duration } : undefined;
  const namespace = process.env['HOPSCOPE_DEMO_NAMESPACE'] ?? 'shop';
  const system = new DemoSystem({ detached: true, load, say, namespace, chaosToken: chaosToken() });
  // From the first moment: a Ctrl-C or demo:down during the builds or the start stops what has
  // started so far (the processes are in groups of their own and would outlive the runner).
  const building = new AbortController();
  let stopping: Promise<void> | undefined;
  const stop = (signal: string) => {
    stopping ??= (async () => {
      say(`${signal}: stopping the load, the services and the backends`);
      building.abort();
      await system.stop();
      for (const file of [ENDPOINTS_FILE, PIDS_FILE, RUNNER_PID_FILE]) rmSync(file, { force: true });
      say('stopped');
      process.exit(0);
    })();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Kept current from the start (and as instances restart with new pids), for demo:down's fallback.
  setInterval(() => writeFileSync(PIDS_FILE, JSON.stringify(system.pids())), 1000).unref();

  say('building the backends if missing (cached outside the repo)');
  await runBuild('stack/build.sh', [], DEMO_LOG_DIR, say, building.signal);
  const started = Date.now();
  await system.start();
  writeFileSync(PIDS_FILE, JSON.stringify(system.pids()));
  const endpoints = system.endpoints();
  // It holds the chaos token: readable by this user only (the mode applies to a new file; the
  // chmod covers one that an earlier run left).
  writeFileSync(ENDPOINTS_FILE, `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
  chmodSync(ENDPOINTS_FILE, 0o600);
  say(`ready in ${Math.round((Date.now() - started) / 1000)} s (after the builds)`);
  printEndpoints(endpoints);
  await new Promise(() => undefined);
}

/** The chaos admin APIs' token: the user's, a random one, or none (HOPSCOPE_CHAOS=off). */
function chaosToken(): string | undefined {
  if (process.env['HOPSCOPE_CHAOS'] === 'off') return undefined;
  return process.env['HOPSCOPE_CHAOS_TOKEN'] || randomBytes(24).toString('hex');
}

function printEndpoints(endpoints: Endpoints): void {
  const rows: Array<[string, string]> = [
    ['gateway (the shop)', endpoints.gateway],
    ['Jaeger (traces)', endpoints.jaeger],
    ['Prometheus (metrics)', endpoints.prometheus],
    ['Loki (logs)', endpoints.loki],
    ['OTLP/HTTP (collector)', endpoints.otlp],
    ['RabbitMQ metrics', endpoints.rabbitmqMetrics],
    ...Object.entries(endpoints.instances).map(([name, urls]): [string, string] => [name, urls.join(' ')]),
    ...(endpoints.chaos ? [['chaos admin (infra)', endpoints.chaos.infra] as [string, string]] : []),
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, url] of rows) say(`  ${name.padEnd(width)}  ${url}`);
  say(`endpoints as JSON: ${ENDPOINTS_FILE}; logs: ${DEMO_LOG_DIR}`);
  // The token itself is not printed (the runner's output goes to a log file under demo:up).
  say(
    endpoints.chaos
      ? `chaos: on (each service's admin API on its port + 1000; the token is in ${ENDPOINTS_FILE}); try: npm run chaos -- run bank-outage`
      : 'chaos: off (HOPSCOPE_CHAOS=off)',
  );
  say(
    `try: curl -s -XPOST ${endpoints.gateway}/auth/token -H 'content-type: application/json' -d '{"username":"alice"}'`,
  );
}

async function up(): Promise<void> {
  const running = runnerAlive();
  if (running) throw new Error(`the demo is already running (pid ${running}); \`npm run demo:down\` stops it`);
  mkdirSync(DEMO_LOG_DIR, { recursive: true });
  rmSync(ENDPOINTS_FILE, { force: true });
  const fd = openSync(RUNNER_LOG, 'w');
  const runner = spawn(process.execPath, [join(REPO_ROOT, 'stack/demo-cli.ts'), 'run', ...process.argv.slice(3)], {
    cwd: REPO_ROOT,
    env: process.env,
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  runner.unref();
  let exited = false;
  runner.once('exit', () => (exited = true));
  let shown = 0;
  for (;;) {
    // Relay the runner's progress (build steps, readiness) while waiting.
    const lines = existsSync(RUNNER_LOG) ? readFileSync(RUNNER_LOG, 'utf8').split('\n') : [];
    for (const line of lines.slice(shown, -1)) say(line);
    shown = Math.max(shown, lines.length - 1);
    if (existsSync(ENDPOINTS_FILE)) {
      say(`demo up (runner pid ${runner.pid}); \`npm run demo:down\` stops it`);
      return;
    }
    if (exited) throw new Error(`the demo runner ended before it was ready; its log: ${RUNNER_LOG}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function down(): Promise<void> {
  const runner = runnerAlive();
  if (runner) {
    say(`stopping the demo runner (pid ${runner})`);
    await stopPid(runner, undefined, 60_000);
  }
  // Whatever the runner could not stop (it was killed): every process it recorded.
  const leftovers = Object.values(readPids());
  for (const pid of leftovers.filter(alive)) await stopPid(pid, undefined, 10_000);
  for (const file of [ENDPOINTS_FILE, PIDS_FILE, RUNNER_PID_FILE]) rmSync(file, { force: true });
  say(runner || leftovers.length > 0 ? 'demo stopped' : 'the demo is not running');
}

function readPids(): Record<string, number> {
  return existsSync(PIDS_FILE) ? (JSON.parse(readFileSync(PIDS_FILE, 'utf8')) as Record<string, number>) : {};
}

/**
 * Memory of every process of the running demo, and the total: RSS, and PSS, which counts a page
 * shared by several processes (the node binary, mapped by every service) once in all, shared
 * out among them. The sum of PSS is what the whole system takes; a sum of RSS overcounts it.
 */
function status(): void {
  const pids = readPids();
  if (Object.keys(pids).length === 0) {
    say('the demo is not running');
    return;
  }
  const rows = Object.entries(pids).map(([name, pid]) => ({ name, memory: memoryMiB(pid) }));
  const width = Math.max(...rows.map(({ name }) => name.length), 'total'.length);
  const mib = (value: number) => `${value.toFixed(0).padStart(6)} MiB`;
  say(`  ${'process'.padEnd(width)}  ${'RSS'.padStart(10)}  ${'PSS'.padStart(10)}`);
  for (const { name, memory } of rows) {
    say(`  ${name.padEnd(width)}  ${memory ? `${mib(memory.rss)}  ${mib(memory.pss)}` : 'not running'}`);
  }
  const total = (key: 'rss' | 'pss') => rows.reduce((sum, { memory }) => sum + (memory?.[key] ?? 0), 0);
  say(`  ${'total'.padEnd(width)}  ${mib(total('rss'))}  ${mib(total('pss'))}`);
}

function memoryMiB(pid: number): { rss: number; pss: number } | undefined {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(rollup)?.[1] ?? 0) / 1024;
    return { rss: field('Rss'), pss: field('Pss') };
  } catch {
    return undefined;
  }
}

const command = process.argv[2];
try {
  if (command === 'run') await run();
  else if (command === 'up') await up();
  else if (command === 'down') await down();
  else if (command === 'status') status();
  else {
    console.error('usage: node stack/demo-cli.ts run|up|down|status [--no-load] [--rate N] [--duration 5m]');
    process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
