// The CLI as a person types it: list and describe read the scenario files; a typo or a missing
// demo is a one-line error and a non-zero exit, never a stack trace; a schedule is the same
// sequence for the same seed; a hand-typed value becomes the knob's settings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import test from 'node:test';
import { UsageError, parseValue } from '../src/commands/on-off.ts';
import { pickNext, seededRandom } from '../src/commands/schedule.ts';
import { loadScenarios } from '../src/scenario/load.ts';
import { SCENARIOS_DIR } from '../src/scenario/scenarios-dir.ts';

function chaos(...args: string[]): { code: number | null; out: string; err: string } {
  const result = spawnSync(process.execPath, [join(SCENARIOS_DIR, 'src', 'cli.ts'), ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

test('list names every scenario with its title', () => {
  const { code, out } = chaos('list');
  assert.equal(code, 0);
  for (const scenario of loadScenarios(SCENARIOS_DIR))
    assert.match(out, new RegExp(`^${scenario.name} +${scenario.title}`, 'm'));
});

test('describe shows the notice, the faults, the hypothesis by phase and where to look', () => {
  const { code, out } = chaos('describe', 'bank-outage');
  assert.equal(code, 0);
  assert.match(out, /^bank-outage — /);
  assert.match(out, /- bank http\.down/);
  assert.match(out, /  during:\n    - the bank breaker opens/);
  assert.match(out, /look at: the panel Circuit breakers/);
});

test('an unknown scenario is one line naming the known ones, exit code 2', () => {
  const { code, err } = chaos('describe', 'bank-outtage');
  assert.equal(code, 2);
  assert.match(err, /^chaos: .*no scenario named "bank-outtage"; known: bank-outage, bank-slow/);
  assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
});

test('run without a running demo says how to start one', () => {
  const { code, err } = chaos('--endpoints', '/nonexistent/endpoints.json', 'run', 'bank-outage');
  assert.equal(code, 2);
  assert.match(err, /no running demo .*npm run demo/);
});

test('a bad option value is refused by name', () => {
  const { code, err } = chaos('run', 'bank-outage', '--time-scale', '0');
  assert.notEqual(code, 0);
  assert.match(err, /--time-scale.*a number from 0\.05 to 1/);
});

test("knobs lists the common knobs for every service and the bank's own for the bank only", () => {
  const { code, out } = chaos('knobs');
  assert.equal(code, 0);
  assert.match(out, /^http\.latency +every service +fixedMs 0–60000/m);
  assert.match(out, /^bank\.timeout +bank +rate/m);
});

test('a schedule is the same sequence for the same seed, and never overlaps two scenarios on one target', () => {
  const scenarios = loadScenarios(SCENARIOS_DIR);
  const sequence = (seed: number) => {
    const random = seededRandom(seed);
    return Array.from({ length: 12 }, () => pickNext(scenarios, random, new Set())?.name);
  };
  assert.deepEqual(sequence(7), sequence(7));
  assert.notDeepEqual(sequence(7), sequence(8));
  const busy = new Set(['bank']);
  const random = seededRandom(1);
  for (let i = 0; i < 50; i++) assert.notEqual(pickNext(scenarios, random, busy)?.faults[0]?.target, 'bank');
});

test('a value typed after a knob becomes its settings', () => {
  assert.deepEqual(parseValue(['rate', 'status'], 'http.error-rate', '0.5'), { rate: 0.5 });
  assert.deepEqual(parseValue(['rate', 'status'], 'http.error-rate', 'rate=0.5,status=503'), {
    rate: 0.5,
    status: 503,
  });
  assert.deepEqual(parseValue(['fixedMs'], 'http.latency', '{"fixedMs":300}'), { fixedMs: 300 });
  assert.throws(() => parseValue([], 'http.down', '3'), UsageError);
  assert.throws(() => parseValue(['rate'], 'http.error-rate', 'rate=fast'), /not name=number/);
});
