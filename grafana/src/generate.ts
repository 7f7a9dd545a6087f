// Writes every dashboard's JSON under grafana/dashboards/ (`npm run generate -w grafana`). The
// JSON is committed, since compose mounts it; a test fails when it differs from this output.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS_DIR, allDashboards, dashboardJson } from './all-dashboards.ts';

const dashboards = allDashboards();
mkdirSync(DASHBOARDS_DIR, { recursive: true });
// A dashboard removed from the code must not live on as a stale file.
for (const file of readdirSync(DASHBOARDS_DIR))
  if (file.endsWith('.json') && !dashboards.some((d) => d.file === file)) rmSync(join(DASHBOARDS_DIR, file));
for (const { file, dashboard } of dashboards) writeFileSync(join(DASHBOARDS_DIR, file), dashboardJson(dashboard));
console.log(`wrote ${dashboards.length} dashboards to ${DASHBOARDS_DIR}`);
