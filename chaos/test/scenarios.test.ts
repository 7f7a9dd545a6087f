// The scenario files as a scenario author meets them: every committed one loads; a mistake is
// refused at load with the file, the line and the reason; the README is what the files say.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { formattedReadme } from '../src/readme.ts';
import { ScenarioError, loadScenarios, parseScenario } from '../src/scenario/load.ts';
import { SCENARIOS_DIR } from '../src/scenario/scenarios-dir.ts';

const REQUIRED = [
  'bank-slow',
  'bank-outage',
  'orchestrator-crash',
  'broker-outage',
  'poison-message',
  'duplicate-delivery',
  'slow-consumer',
  'collector-down',
  'rate-limit-storm',
];

const VALID = `name: sample
title: A sample
notice: what to see
reveals:
  panel: Circuit breakers › State
  jaeger: { service: payments }
duration: 10s
faults:
  - target: bank
    fault: http.down
charts:
  - title: state
    promql: max(hopscope_circuit_breaker_state)
hypothesis:
  during:
    - name: it opens
      promql: max(hopscope_circuit_breaker_state{state="open"})
      expect: '== 1'
      within: 30s
`;

function refusal(text: string): ScenarioError {
  try {
    parseScenario(text, 'chaos/sample.yaml');
  } catch (error) {
    assert.ok(error instanceof ScenarioError, `a ScenarioError, not ${String(error)}`);
    return error;
  }
  assert.fail('the scenario was accepted');
}

test('every scenario the issue asks for is there, and every file loads', () => {
  const names = loadScenarios(SCENARIOS_DIR).map((s) => s.name);
  for (const name of REQUIRED) assert.ok(names.includes(name), `chaos/${name}.yaml`);
});

test('a valid scenario loads, with its durations in milliseconds', () => {
  const scenario = parseScenario(VALID, 'chaos/sample.yaml');
  assert.equal(scenario.duration, 10_000);
  assert.equal(scenario.hypothesis.during?.[0]?.within, 30_000);
});

test('an unknown fault is refused at load, naming the file, the line and the known faults', () => {
  const error = refusal(VALID.replace('fault: http.down', 'fault: http.meltdown'));
  assert.equal(error.line, 10);
  assert.match(
    error.message,
    /^chaos\/sample\.yaml:10: bank: unknown fault "http\.meltdown" on bank; known: .*http\.down/,
  );
});

test('a knob of another service, or a value out of range, is refused as the service would', () => {
  const other = refusal(VALID.replace('target: bank', 'target: orders').replace('http.down', 'bank.timeout'));
  assert.match(other.message, /:10: orders: unknown fault "bank\.timeout"/);
  const range = refusal(VALID.replace('fault: http.down', 'fault: http.error-rate\n    settings: { rate: 2 }'));
  assert.match(range.message, /:10: bank: http\.error-rate\.rate=2: must be a number from 0 to 1/);
});

test('a PromQL syntax error is refused with its line and column', () => {
  const error = refusal(
    VALID.replace(
      'max(hopscope_circuit_breaker_state{state="open"})',
      'max(hopscope_circuit_breaker_state{state="open"}',
    ),
  );
  assert.equal(error.line, 17);
  assert.match(error.message, /PromQL syntax error at column \d+/);
});

test('a LogQL syntax error is refused with its line', () => {
  const error = refusal(
    VALID.replace(
      `      promql: max(hopscope_circuit_breaker_state{state="open"})\n      expect: '== 1'`,
      `      logql: '{service_name="payments" |= "open"'`,
    ),
  );
  assert.equal(error.line, 17);
  assert.match(error.message, /LogQL syntax error/);
});

test('a missing field is refused at its parent, naming it', () => {
  const error = refusal(VALID.replace("      expect: '== 1'\n", ''));
  assert.equal(error.line, 16);
  assert.match(error.message, /hypothesis\.during\.0/);
});

test('an unknown field, a bad duration and a name that is not the file are refused', () => {
  assert.match(
    refusal(VALID.replace('duration: 10s', 'duration: 10s\nlength: 3')).message,
    /:1: .*unknown field length/,
  );
  assert.match(refusal(VALID.replace('duration: 10s', 'duration: ten')).message, /:7: duration: a duration such as/);
  assert.match(
    refusal(VALID.replace('name: sample', 'name: other')).message,
    /:1: name is other but the file is sample\.yaml/,
  );
});

test('YAML that does not parse is refused with its line', () => {
  const error = refusal(VALID.replace('  panel: Circuit', '  panel: [Circuit'));
  assert.ok(error.line >= 5, `line ${error.line}`);
});

test('chaos/README.md is what the scenario files say (regenerate: npm run chaos -- readme)', async () => {
  const file = join(SCENARIOS_DIR, 'README.md');
  const expected = await formattedReadme(loadScenarios(SCENARIOS_DIR), file);
  assert.equal(readFileSync(file, 'utf8'), expected);
});
