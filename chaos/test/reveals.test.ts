// Each scenario tells a learner which dashboard panel reveals it ("Dashboard › Panel (var=value)");
// that panel, and the variable it names, must exist in the dashboards hopscope provisions.
import assert from 'node:assert/strict';
import test from 'node:test';
import { allDashboards } from '../../grafana/src/all-dashboards.ts';
import { type RawPanel, flatPanels } from '../../grafana/src/dashboard-queries.ts';
import { loadScenarios } from '../src/scenario/load.ts';

const panelTitles = (panels: unknown[]) => flatPanels(panels as RawPanel[]).map((p) => p.title);

test("every scenario's revealing panel exists, with the variable it sets", () => {
  const dashboards = allDashboards().map((d) => d.dashboard);
  for (const scenario of loadScenarios()) {
    const where = `${scenario.name}: reveals.panel "${scenario.reveals.panel}"`;
    const match = /^(.+?) › (.+?)(?: \((\w+)=[^)]+\))?$/.exec(scenario.reveals.panel);
    assert.ok(match, `${where} reads "Dashboard › Panel" or "Dashboard › Panel (variable=value)"`);
    const [, dashboardTitle, panelTitle, variable] = match;
    const dashboard = dashboards.find((d) => d.title === dashboardTitle);
    assert.ok(dashboard, `${where}: no dashboard titled "${dashboardTitle}"`);
    assert.ok(panelTitles(dashboard.panels ?? []).includes(panelTitle), `${where}: no panel "${panelTitle}"`);
    if (variable)
      assert.ok(
        dashboard.templating?.list?.some((v) => v.name === variable),
        `${where}: the dashboard has no variable ${variable}`,
      );
  }
});
