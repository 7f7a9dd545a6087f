// A hypothesis that cannot fail proves nothing. Each scenario is run with its faults left out;
// the checks that depend on the fault must then fail (and only those). The runs only watch,
// so they run side by side. And the CLI, interrupted with Ctrl-C in the middle of a run, turns
// its faults off again and says so.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { AdminClient } from '../../chaos/src/faults/admin-client.ts';
import { REPO_ROOT } from '../../stack/paths.ts';
import { chaosEndpoints, runNamed } from './helpers/chaos.ts';
import { useDemo } from './helpers/demo.ts';

const { system } = useDemo({ chaos: true });

/**
 * Per scenario, the checks that hold only when its fault is on (they must fail without it), and
 * those that the fault makes likely but ordinary traffic can also satisfy (they may fail).
 */
const DEPENDS_ON_THE_FAULT: Record<string, { must: string[]; may?: string[] }> = {
  'bank-outage': {
    must: [
      'the bank breaker opens within 30 s (and a scrape)',
      'calls are rejected by the open breaker, not sent to the bank',
      "the breaker's opening is logged, with the trace id of the call that opened it",
    ],
    // The bank fails 2 % of calls on its own: some orders compensate anyway.
    may: [
      'the compensation rate rises',
      'a trace shows the failed bank call in payments and the stock released in compensation',
    ],
  },
  'bank-slow': {
    must: ['calls to the bank time out', 'the breaker opens on the timeouts'],
    may: ['refunds the bank could not take are retried with backoff'],
  },
  'orchestrator-crash': {
    must: ['orders was restarted (its process start time changed)'],
    may: ['sagas are in flight when it dies'],
  },
  'broker-outage': {
    must: ['the outbox relay cannot publish while the broker is away'],
    // A CPU-starved relay (CI: nine runs side by side on two cores) can let tens of rows wait.
    may: ['the outbox backlog grows while the broker is away'],
  },
  'poison-message': {
    must: [
      'the poison messages are dead-lettered and counted',
      'they wait on the dead-letter queue',
      'the dead-lettering is logged with its reason',
    ],
  },
  'duplicate-delivery': { must: ['the duplicates are caught and counted'] },
  'slow-consumer': { must: ['the queue grows', 'each message waits longer to be handled (p95 over a second)'] },
  'collector-down': { must: ['the services count the spans they could not export'] },
  'rate-limit-storm': { must: ['the gateway answers 429 to the storm'] },
};

test('without its faults, every check that depends on them fails, and no other', async () => {
  // Side by side: nothing is broken, so the runs cannot disturb each other; each runs to its end.
  const records = await Promise.all(
    Object.keys(DEPENDS_ON_THE_FAULT).map((name) =>
      runNamed(system(), name, { withoutFaults: true, ordersPerSecond: 0.3, timeScale: 0.5 }),
    ),
  );
  for (const record of records) {
    const name = record.scenario.name;
    const { must, may = [] } = DEPENDS_ON_THE_FAULT[name];
    assert.equal(record.verdict, 'failed', `${name} without its faults`);
    const failed = record.checks.filter((c) => c.status === 'failed');
    for (const check of must) {
      assert.ok(
        failed.some((c) => c.name === check),
        `${name}: "${check}" must fail without the fault`,
      );
    }
    for (const check of failed) {
      assert.ok([...must, ...may].includes(check.name), `${name}: "${check.name}" failed without the fault`);
      // A check that failed because its query did not run proves nothing about the system.
      assert.doesNotMatch(check.observed, /failed to run|HTTP \d{3}|cannot read/, `${name}: "${check.name}"`);
    }
  }
});

test('Ctrl-C during `npm run chaos -- run` turns the faults it set off, and says so', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-chaos-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const endpoints = chaosEndpoints(system());
  const file = join(dir, 'endpoints.json');
  writeFileSync(file, JSON.stringify(endpoints), { mode: 0o600 });
  const child = spawn(
    process.execPath,
    ['chaos/src/cli.ts', '--endpoints', file, 'run', 'bank-outage', '--report-dir', join(dir, 'reports')],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const faultOn = new Promise<void>((resolve) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('⚡ on')) resolve();
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await Promise.race([faultOn, exited.then(() => assert.fail(`the CLI ended before a fault went on:\n${output}`))]);
  const bank = new AdminClient(endpoints.chaos.services['bank'][0], endpoints.chaos.token);
  assert.deepEqual(
    (await bank.active()).faults.map((f) => f.name),
    ['http.down'],
    'the fault is on',
  );
  child.kill('SIGINT');
  const code = await exited;
  console.log(output);
  assert.notEqual(code, 0, 'an interrupted run does not exit 0');
  assert.match(output, /interrupted: turning off every fault/);
  assert.match(output, /⏹ off bank http\.down/);
  assert.match(output, /INTERRUPTED/);
  assert.deepEqual((await bank.active()).faults, [], 'nothing left on at the bank');
});
