// Every query the dashboards hold must at least parse: a typo in PromQL or LogQL is caught here,
// in a second, rather than as an empty panel in the live test or in front of a user.
import assert from 'node:assert/strict';
import test from 'node:test';
import { syntaxProblem } from '../../chaos/src/scenario/load.ts';
import { allDashboards } from '../src/all-dashboards.ts';
import { type RawPanel, dashboardQueries, flatPanels } from '../src/dashboard-queries.ts';

const dashboards = allDashboards().map((d) => d.dashboard);

test('every PromQL and LogQL query of every dashboard parses, variables and macros substituted', () => {
  const problems = dashboards
    .flatMap((d) => dashboardQueries(d))
    .filter((q) => q.backend !== 'jaeger' && !q.panel.startsWith('variable:'))
    .map((q) => ({ q, problem: syntaxProblem(q.backend === 'prometheus' ? 'PromQL' : 'LogQL', q.expr) }))
    .filter(({ problem }) => problem !== undefined)
    .map(({ q, problem }) => `${q.dashboard} › ${q.panel}: ${problem} in ${q.expr}`);
  assert.deepEqual(problems, []);
});

test('every Jaeger search names a service', () => {
  for (const q of dashboards.flatMap((d) => dashboardQueries(d)).filter((q) => q.backend === 'jaeger'))
    assert.ok(q.jaeger?.service, `${q.dashboard} › ${q.panel}`);
});

test('panel titles are unique within a dashboard, so that a panel can be named', () => {
  for (const d of dashboards) {
    const titles = flatPanels((d.panels ?? []) as RawPanel[]).map((p) => p.title);
    assert.ok(titles.length > 0, `${d.title} has panels`);
    assert.deepEqual(
      titles.filter((t, i) => titles.indexOf(t) !== i),
      [],
      `${d.title}: titles used twice`,
    );
  }
});
