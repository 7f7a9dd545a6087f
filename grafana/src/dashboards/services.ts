import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { hopscopeDashboard } from '../hopscope-dashboard.ts';
import { DASHBOARD_UIDS } from '../uids.ts';

export function servicesDashboard(): Dashboard {
  return hopscopeDashboard({ uid: DASHBOARD_UIDS.services, title: 'Services (RED)', description: 'TODO' }).build();
}
