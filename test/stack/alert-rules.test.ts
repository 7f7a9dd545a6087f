// The alert and recording rules of prometheus/rules/, checked by the promtool the stack builds
// (the version Prometheus runs): they parse, every alert has unit tests that fire it and that
// leave it silent, and every alert tells the user what happened and which dashboard to open.
// No server runs: `promtool test rules` evaluates the rules over the series each test declares.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { allDashboards } from '../../grafana/src/all-dashboards.ts';
import { binaries } from '../../stack/paths.ts';
import { ALERT_NAMES, RULES_DIR } from './helpers/alert-rules.ts';

const run = promisify(execFile);
const promtool = binaries().promtool;
const TESTS_DIR = join(RULES_DIR, 'tests');

const ruleFiles = readdirSync(RULES_DIR)
  .filter((file) => file.endsWith('.yml'))
  .map((file) => join(RULES_DIR, file));
const testFiles = readdirSync(TESTS_DIR)
  .filter((file) => file.endsWith('.test.yml'))
  .map((file) => join(TESTS_DIR, file));

// The files are our own, prettier-formatted YAML; the few facts below are read with regular
// expressions rather than a YAML parser the root package does not depend on.

/** Each rule's text, from its `- alert:` or `- record:` line to the next rule. */
function ruleBlocks(): { kind: 'alert' | 'record'; name: string; text: string }[] {
  const all = ruleFiles.map((file) => readFileSync(file, 'utf8')).join('\n');
  return all
    .split(/^(?= {6}- (?:alert|record): )/m)
    .slice(1)
    .map((text) => {
      const [, kind, name] = /^ {6}- (alert|record): (\S+)/.exec(text)!;
      return { kind: kind as 'alert' | 'record', name, text };
    });
}

/** Each alert test case of the unit tests: the alert and whether the case expects it firing. */
function alertCases(): { alertname: string; fires: boolean }[] {
  const cases: { alertname: string; fires: boolean }[] = [];
  for (const file of testFiles) {
    for (const item of readFileSync(file, 'utf8')
      .split(/^ {6}- eval_time: /m)
      .slice(1)) {
      const alertname = /^ {8}alertname: (\S+)$/m.exec(item)?.[1];
      if (!alertname) continue; // a promql_expr_test item
      cases.push({ alertname, fires: !/^ {8}exp_alerts: \[\]$/m.test(item) });
    }
  }
  return cases;
}

test('promtool check rules accepts every rule file', async () => {
  const { stdout } = await run(promtool, ['check', 'rules', ...ruleFiles]);
  const found = [...stdout.matchAll(/SUCCESS: (\d+) rules found/g)].map((match) => Number(match[1]));
  assert.equal(found.length, ruleFiles.length, stdout);
  assert.equal(
    found.reduce((sum, count) => sum + count, 0),
    ruleBlocks().length,
  );
});

test('promtool test rules passes every unit test', async () => {
  const { stdout } = await run(promtool, ['test', 'rules', ...testFiles]);
  assert.equal(stdout.match(/ SUCCESS/g)?.length, testFiles.length, stdout);
});

test('the rule files define exactly the alerts the tests look for by name', () => {
  const alerts = ruleBlocks()
    .filter((rule) => rule.kind === 'alert')
    .map((rule) => rule.name);
  assert.deepEqual([...alerts].sort(), [...ALERT_NAMES].sort());
});

test('every alert has a unit test that fires it and one that does not', () => {
  const cases = alertCases();
  for (const alertname of ALERT_NAMES) {
    assert.ok(
      cases.some((c) => c.alertname === alertname && c.fires),
      `${alertname} is never expected to fire`,
    );
    assert.ok(
      cases.some((c) => c.alertname === alertname && !c.fires),
      `${alertname} is never expected silent`,
    );
  }
});

test("every alert has a summary, a description and a link to a hopscope dashboard with that dashboard's variables", () => {
  const variablesByUid = new Map(
    allDashboards().map(({ dashboard }) => [dashboard.uid, (dashboard.templating?.list ?? []).map((v) => v.name)]),
  );
  for (const rule of ruleBlocks().filter((r) => r.kind === 'alert')) {
    assert.match(rule.text, /^ {10}summary: \S/m, `${rule.name} has no summary`);
    assert.match(rule.text, /^ {10}description: \S/m, `${rule.name} has no description`);
    const link = /^ {10}dashboard: \/d\/([\w-]+)\?(.+)$/m.exec(rule.text);
    assert.ok(link, `${rule.name} has no dashboard link with variables`);
    const [, uid, query] = link;
    const variables = variablesByUid.get(uid);
    assert.ok(variables, `${rule.name} links ${uid}, not one of ${[...variablesByUid.keys()].join(', ')}`);
    for (const param of query.split('&')) {
      const name = /^var-(\w+)=\{\{ \$labels\.\w+ \}\}$/.exec(param)?.[1];
      assert.ok(
        name && variables.includes(name),
        `${rule.name}: ${param} is not a variable of ${uid} (${variables.join(', ')})`,
      );
    }
  }
});

// The unit tests above would be worthless if a wrong expectation passed: one must fail. A saga
// one minute old is not stuck, so expecting HopscopeSagaStuck to fire is wrong.
test('promtool test rules fails when an alert is expected to fire and does not', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'wrong.test.yml');
  writeFileSync(
    file,
    [
      `rule_files: [${join(RULES_DIR, 'sagas.yml')}]`,
      'tests:',
      '  - interval: 15s',
      '    input_series:',
      '      - series: hopscope_saga_oldest_in_flight_age_seconds{saga="place-order"}',
      '        values: 0+15x4',
      '    alert_rule_test:',
      '      - eval_time: 1m',
      '        alertname: HopscopeSagaStuck',
      '        exp_alerts: [{ exp_labels: { severity: page, saga: place-order } }]',
      '',
    ].join('\n'),
  );
  // promtool reports failures on stderr: the expected alert, and none got.
  await assert.rejects(run(promtool, ['test', 'rules', file]), (error: { stderr?: string }) => {
    assert.match(error.stderr ?? '', /FAILED:\n\s+alertname: HopscopeSagaStuck, time: 1m,[\s\S]*got:\[\]/);
    return true;
  });
});
