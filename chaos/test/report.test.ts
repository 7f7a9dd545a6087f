// The run report as a person sees it: rendered by Debian's headless Chromium from the file
// writeReport left, then read back from the DOM the browser built. Charts must hold the
// data's points, the waterfall one bar per span, and markup from telemetry must stay text.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { RunRecord } from '../src/run/record.ts';
import { renderInChromium, screenshotReport } from '../src/report/chromium.ts';
import { renderReport } from '../src/report/render.ts';
import { writeReport } from '../src/report/write.ts';
import { bankOutageRecord, RUN_START, SCRIPT_LABEL, TRACE_ID } from './fixtures/report-bank-outage.ts';
import { byClass, findAll, hasClass, parseDom, textOf, type DomElement } from './fixtures/report-dom.ts';

/** Where the screenshot is left for a person to look at (not committed). */
const TEST_OUTPUT = fileURLToPath(new URL('../test-output/', import.meta.url));

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hopscope-report-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** What a reader reads: the text with runs of whitespace (from the markup's layout) as one space. */
function words(element: DomElement): string {
  return textOf(element).replace(/\s+/g, ' ').trim();
}

function one(elements: DomElement[], what: string): DomElement {
  assert.equal(elements.length, 1, `expected exactly one ${what}, found ${elements.length}`);
  return elements[0];
}

test('a bank-outage report renders in Chromium with its verdict, checks, charts and trace', async (t) => {
  const record = bankOutageRecord();
  const path = writeReport(record, await tempDir(t));
  assert.equal(basename(path), 'bank-outage-2025-12-01T15-00-00Z.html');

  const dom = parseDom(await renderInChromium(path));

  const verdict = one(
    findAll(dom, (element) => 'data-verdict' in element.attrs),
    'verdict',
  );
  assert.equal(verdict.attrs['data-verdict'], 'failed');
  assert.match(words(verdict), /Hypothesis failed/);
  assert.match(words(verdict), /1 of 6 checks failed/);
  assert.match(words(verdict), /The breaker-opened log line carries its trace id/);

  const rows = findAll(dom, (element) => element.name === 'tr' && 'data-check' in element.attrs);
  assert.deepEqual(
    rows.map((row) => words(byClass(row, 'check-name')[0]).replace(/ ?(promql|jaeger|logql|invariant)$/, '')),
    record.checks.map((check) => check.name),
    'every check is shown by name, in phase order',
  );
  for (const [index, check] of record.checks.entries()) {
    const status = one(byClass(rows[index], 'status'), `status of "${check.name}"`);
    assert.equal(words(status), check.status);
    assert.ok(words(rows[index]).includes(check.query), `the query of "${check.name}" is shown`);
  }
  const traceLink = one(byClass(dom, 'trace-link'), 'trace link');
  assert.equal(traceLink.attrs.href, `http://127.0.0.1:16686/trace/${TRACE_ID}`);
  assert.match(words(dom), /\+0:29/, 'the breaker check is decided 29 s after the run started');

  const charts = findAll(dom, (element) => element.name === 'figure' && 'data-chart' in element.attrs);
  assert.equal(charts.length, record.series.length);
  for (const [index, series] of record.series.entries()) {
    const lines = findAll(charts[index], (element) => element.name === 'polyline');
    assert.equal(lines.length, series.lines.length, `one polyline per label set in "${series.title}"`);
    for (const [lineIndex, line] of series.lines.entries()) {
      const points = lines[lineIndex].attrs.points.trim().split(/\s+/);
      assert.equal(points.length, line.points.length, `every point of line ${lineIndex} of "${series.title}" is drawn`);
      // Higher values are drawn higher (smaller y), so the line is the data, not a placeholder.
      const drawn = points.map((point, pointIndex) => ({
        y: Number(point.split(',')[1]),
        value: line.points[pointIndex][1],
      }));
      for (const a of drawn)
        for (const b of drawn) if (a.value > b.value) assert.ok(a.y <= b.y, `${a.value} is drawn above ${b.value}`);
      const heights = new Set(drawn.map(({ y }) => y));
      assert.equal(
        heights.size > 1,
        new Set(drawn.map(({ value }) => value)).size > 1,
        'a varying line is drawn varying',
      );
    }
    assert.equal(
      findAll(charts[index], (element) => element.name === 'li').length,
      series.lines.length,
      'a legend entry per line',
    );
    assert.equal(byClass(charts[index], 'phase-shade').length, 3, 'the three phases are shaded');
    assert.equal(byClass(charts[index], 'fault-mark').length, 2, 'both faults are marked');
  }

  const bars = byClass(dom, 'span-bar');
  assert.equal(bars.length, record.trace!.spans.length, 'one bar per span');
  const spanRows = findAll(dom, (element) => 'data-span-id' in element.attrs);
  assert.deepEqual(
    spanRows.map((row) => row.attrs['data-span-id']).sort(),
    record.trace!.spans.map((span) => span.spanId).sort(),
  );
  const errorRow = one(
    spanRows.filter((row) => hasClass(row, 'span-error')),
    'error span row',
  );
  assert.equal(errorRow.attrs['data-span-id'], 'a7');
  assert.match(words(errorRow), /payments error bank\.charge \(breaker open\)/);
  // Children sit under their parents: the compensation in orders follows the payment events it consumed.
  const order = spanRows.map((row) => row.attrs['data-span-id']);
  assert.ok(order.indexOf('b1') === order.indexOf('a9') + 1, 'b1 is drawn right under its parent a9');

  assert.equal(findAll(dom, (element) => element.name === 'script').length, 0, 'the page holds no script element');
  const legendNames = byClass(dom, 'legend-name').map(textOf);
  assert.ok(
    legendNames.some((name) => name.includes(SCRIPT_LABEL)),
    `the label is shown as text: ${legendNames.join(' | ')}`,
  );

  await mkdir(TEST_OUTPUT, { recursive: true });
  // Taller than the default 2400 px so the whole report, down to the waterfall, is in the picture.
  const png = await screenshotReport(path, join(TEST_OUTPUT, 'report-bank-outage.png'), { height: 3200 });
  await copyFile(path, join(TEST_OUTPUT, 'report-bank-outage.html'));
  const { size } = await stat(png);
  assert.ok(size > 10_000, `the screenshot has content (${size} bytes)`);
});

test('a run with no samples, no trace and no checks decided still renders, saying so', async (t) => {
  const full = bankOutageRecord();
  const record: RunRecord = {
    ...full,
    verdict: 'interrupted',
    endedAt: RUN_START + 50_000,
    phases: full.phases
      .slice(0, 2)
      .map((phase) => ({ ...phase, endedAt: Math.min(phase.endedAt, RUN_START + 50_000) })),
    faults: [{ label: 'bank http.down', on: RUN_START + 20_400 }],
    checks: full.checks.slice(0, 3).map((check, index) => (index < 2 ? check : { ...check, status: 'interrupted' })),
    series: [
      { title: 'Breaker state', promql: 'hopscope_circuit_breaker_state', lines: [] },
      { title: 'Sagas ended', promql: 'rate(hopscope_saga_ended_total[30s])', lines: [{ labels: {}, points: [] }] },
    ],
    trace: undefined,
  };
  const path = writeReport(record, await tempDir(t));
  const dom = parseDom(await renderInChromium(path));

  const verdict = one(
    findAll(dom, (element) => 'data-verdict' in element.attrs),
    'verdict',
  );
  assert.match(words(verdict), /Run interrupted/);
  const charts = findAll(dom, (element) => element.name === 'figure' && 'data-chart' in element.attrs);
  assert.equal(charts.length, 2);
  for (const chart of charts) {
    assert.match(words(chart), /No data/);
    assert.equal(findAll(chart, (element) => element.name === 'polyline').length, 0);
  }
  assert.match(words(dom), /No example trace was recorded/);
  assert.match(words(dom), /on \+0:20, never turned off/);
  assert.equal(byClass(dom, 'tl-fault-open').length, 1, 'the fault still on is drawn to the end of the run');

  const none = renderReport({ ...record, series: [], checks: [] });
  assert.match(none, /No series were recorded/);
  assert.match(none, /No checks were recorded/);
});

test('strings from the record cannot become markup or links anywhere', () => {
  const record = bankOutageRecord();
  const evil = '"><img src=x onerror=alert(1)>';
  record.scenario.title = SCRIPT_LABEL;
  record.scenario.notice = evil;
  record.checks[0].name = evil;
  record.checks[0].observed = SCRIPT_LABEL;
  record.trace!.spans[0].operation = SCRIPT_LABEL;
  record.faults[0].label = evil;
  record.links.grafanaPanel = 'javascript:alert(1)';
  const page = renderReport(record);
  assert.ok(!page.includes('<script'), 'no script tag');
  assert.ok(!page.includes('<img'), 'no img tag');
  assert.ok(!page.includes('javascript:'), 'no javascript: link');
  const dom = parseDom(page);
  assert.equal(findAll(dom, (element) => element.name === 'img').length, 0);
  assert.ok(findAll(dom, (element) => Object.keys(element.attrs).some((name) => name.startsWith('on'))).length === 0);
  assert.ok(
    words(
      one(
        findAll(dom, (element) => element.name === 'h1'),
        'h1',
      ),
    ).includes(SCRIPT_LABEL),
  );
});
