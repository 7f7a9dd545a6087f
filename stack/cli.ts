// npm run stack:up / stack:down: the stack tests' backends for a developer, left running in
// the background (logs in .stack/logs/, process ids in .stack/pids.json) until stack:down.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_DIR, RUN_DIR } from './paths.ts';
import { URLS } from './ports.ts';
import { Stack, stopPid } from './runner.ts';

const PIDS_FILE = join(RUN_DIR, 'pids.json');

async function up(): Promise<void> {
  if (existsSync(PIDS_FILE)) {
    throw new Error(`${PIDS_FILE} exists: the stack is up already (\`npm run stack:down\` first)`);
  }
  const stack = await Stack.start({ detached: true });
  writeFileSync(PIDS_FILE, JSON.stringify(stack.pids(), null, 2));
  console.log(`stack up; logs in ${LOG_DIR}`);
  console.log(`  OTLP/HTTP  ${URLS.collectorOtlpHttp}  (OTEL_EXPORTER_OTLP_ENDPOINT)`);
  console.log(`  Jaeger     ${URLS.jaeger}`);
  console.log(`  Loki       ${URLS.loki}`);
  console.log(`  Prometheus ${URLS.prometheus}`);
}

async function down(): Promise<void> {
  if (!existsSync(PIDS_FILE)) {
    console.log('stack is not up (no .stack/pids.json)');
    return;
  }
  const pids = JSON.parse(readFileSync(PIDS_FILE, 'utf8')) as Record<string, number>;
  // Reverse start order: the collector first, so it can flush to the backends.
  for (const [name, pid] of Object.entries(pids).reverse()) {
    await stopPid(pid);
    console.log(`stopped ${name} (${pid})`);
  }
  rmSync(PIDS_FILE);
}

const command = process.argv[2];
try {
  if (command === 'up') await up();
  else if (command === 'down') await down();
  else {
    console.error('usage: node stack/cli.ts up|down');
    process.exitCode = 2;
  }
} catch (error) {
  // The message says what failed and, for a backend, ends with its own log tail.
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
