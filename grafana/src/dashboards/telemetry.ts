import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { hopscopeDashboard } from '../hopscope-dashboard.ts';
import { DASHBOARD_UIDS } from '../uids.ts';

export function telemetryDashboard(): Dashboard {
  return hopscopeDashboard({ uid: DASHBOARD_UIDS.telemetry, title: 'Telemetry pipeline', description: 'TODO' }).build();
}
