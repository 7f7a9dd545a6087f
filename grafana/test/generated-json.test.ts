// The dashboards compose mounts are the committed JSON; they must be exactly what the code
// generates, or a change to the code would never reach a user.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { DASHBOARDS_DIR, allDashboards, dashboardJson } from '../src/all-dashboards.ts';

test('the committed dashboard JSON is what the code generates (npm run generate -w grafana)', () => {
  const dashboards = allDashboards();
  assert.deepEqual(
    readdirSync(DASHBOARDS_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort(),
    dashboards.map((d) => d.file).sort(),
    'one file per dashboard, none left over',
  );
  for (const { file, dashboard } of dashboards)
    assert.equal(
      readFileSync(join(DASHBOARDS_DIR, file), 'utf8'),
      dashboardJson(dashboard),
      `grafana/dashboards/${file} differs from the code: run npm run generate -w grafana`,
    );
});

test('every dashboard has its own pinned uid and title, and the hopscope tag', () => {
  const dashboards = allDashboards().map((d) => d.dashboard);
  assert.equal(new Set(dashboards.map((d) => d.uid)).size, dashboards.length);
  assert.equal(new Set(dashboards.map((d) => d.title)).size, dashboards.length);
  for (const d of dashboards) {
    assert.match(d.uid ?? '', /^hopscope-[a-z-]+$/);
    assert.ok(d.tags?.includes('hopscope'), `${d.title} is tagged hopscope`);
  }
});
