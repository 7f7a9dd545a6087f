import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { hopscopeDashboard } from '../hopscope-dashboard.ts';
import { DASHBOARD_UIDS } from '../uids.ts';

export function breakersDashboard(): Dashboard {
  return hopscopeDashboard({ uid: DASHBOARD_UIDS.breakers, title: 'Circuit breakers', description: 'TODO' }).build();
}
