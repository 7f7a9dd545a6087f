// Every dashboard hopscope provisions, with the file its JSON is written to under
// grafana/dashboards/ (the folder compose mounts and the dashboards provider reads).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { join } from 'node:path';
import { breakersDashboard } from './dashboards/breakers.ts';
import { messagingDashboard } from './dashboards/messaging.ts';
import { sagasDashboard } from './dashboards/sagas.ts';
import { servicesDashboard } from './dashboards/services.ts';
import { telemetryDashboard } from './dashboards/telemetry.ts';

export const DASHBOARDS_DIR = join(import.meta.dirname, '..', 'dashboards');

export interface GeneratedDashboard {
  file: string;
  dashboard: Dashboard;
}

export function allDashboards(): GeneratedDashboard[] {
  return [
    { file: 'services.json', dashboard: servicesDashboard() },
    { file: 'messaging.json', dashboard: messagingDashboard() },
    { file: 'sagas.json', dashboard: sagasDashboard() },
    { file: 'circuit-breakers.json', dashboard: breakersDashboard() },
    { file: 'telemetry-pipeline.json', dashboard: telemetryDashboard() },
  ];
}

/** The JSON written for a dashboard: two-space indented, one trailing newline. */
export function dashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
