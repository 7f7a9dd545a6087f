import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { hopscopeDashboard } from '../hopscope-dashboard.ts';
import { DASHBOARD_UIDS } from '../uids.ts';

export function messagingDashboard(): Dashboard {
  return hopscopeDashboard({ uid: DASHBOARD_UIDS.messaging, title: 'Messaging', description: 'TODO' }).build();
}
