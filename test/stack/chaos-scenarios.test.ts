// Every chaos scenario, run against the real demo and backends as `npm run chaos -- run` runs
// it: its hypothesis must hold — checked in Prometheus, Jaeger, Loki and the services'
// databases — with 0 duplicate charges and 0 stock discrepancies. Scenarios that cannot
// disturb each other's checks run side by side; the others one after the other. Faults last
// half as long as written (a check's deadline never changes).
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { renderInChromium, screenshotReport, writeReport } from '../../chaos/src/report/index.ts';
import type { RunRecord } from '../../chaos/src/run/record.ts';
import { TEST_OUTPUT_DIR, failures, runNamed } from './helpers/chaos.ts';
import { useDemo } from './helpers/demo.ts';

const { system } = useDemo({ chaos: true });

function assertHeld(record: RunRecord): void {
  assert.deepEqual(failures(record), [], `${record.scenario.name}: every check holds`);
  assert.equal(record.verdict, 'held');
  assert.ok(record.orders.accepted > 0, `${record.scenario.name}: orders were accepted`);
  assert.equal(record.orders.notTerminal, 0, `${record.scenario.name}: every accepted order is terminal`);
  assert.equal(record.orders.duplicateCharges, 0, `${record.scenario.name}: duplicate charges`);
  assert.equal(record.orders.stockDiscrepancies, 0, `${record.scenario.name}: stock discrepancies`);
}

test('side by side: poison message, duplicate delivery, slow consumer, rate-limit storm', async () => {
  const records = await Promise.all(
    ['poison-message', 'duplicate-delivery', 'slow-consumer', 'rate-limit-storm'].map((name) =>
      runNamed(system(), name, { timeScale: 0.5 }),
    ),
  );
  for (const record of records) assertHeld(record);
});

test('bank-outage holds, and its report renders in headless Chromium with data in its charts', async () => {
  const record = await runNamed(system(), 'bank-outage', { timeScale: 0.5 });
  assertHeld(record);
  const html = writeReport(record, TEST_OUTPUT_DIR);
  const dom = await renderInChromium(html);
  assert.match(dom, /data-verdict="held"/, 'the report says the hypothesis held');
  assert.match(dom, new RegExp(`All ${record.checks.length} checks held`));
  assert.equal(dom.match(/class="status status-held"/g)?.length, record.checks.length, 'a held row per check');
  for (const check of record.checks) assert.ok(dom.includes(check.name.replaceAll('&', '&amp;')), check.name);
  for (const series of record.series) {
    assert.ok(
      series.lines.some((line) => line.points.length > 1),
      `the chart "${series.title}" has data`,
    );
  }
  assert.ok(record.trace && record.trace.spans.length > 3, 'an example trace with its spans');
  const png = await screenshotReport(html, join(TEST_OUTPUT_DIR, 'bank-outage-report.png'), { height: 3400 });
  assert.ok(existsSync(png) && statSync(png).size > 10_000, `a screenshot of the report at ${png}`);
  console.log(`bank-outage report: ${html}; screenshot: ${png}`);
});

// collector-down compares the gateway's error rate with the minute before it: it goes before
// orchestrator-crash, whose 503s (the gateway while orders restarts) stay in that minute.
for (const name of ['collector-down', 'bank-slow', 'orchestrator-crash']) {
  test(`${name} holds`, async () => assertHeld(await runNamed(system(), name, { timeScale: 0.5 })));
}

// The outage as written (30 s): the outbox backlog must be seen by a 15 s scrape while it lasts.
test('broker-outage holds', async () => assertHeld(await runNamed(system(), 'broker-outage')));
