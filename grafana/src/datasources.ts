// The datasources every dashboard queries, by the uids provisioning pins
// (provisioning/datasources/hopscope.yaml). A panel names its datasource by uid, so a renamed
// datasource never breaks a dashboard.
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

export const PROMETHEUS = { type: 'prometheus', uid: 'hopscope-prometheus' } as const satisfies DataSourceRef;
export const LOKI = { type: 'loki', uid: 'hopscope-loki' } as const satisfies DataSourceRef;
export const JAEGER = { type: 'jaeger', uid: 'hopscope-jaeger' } as const satisfies DataSourceRef;

export const DATASOURCES = [PROMETHEUS, LOKI, JAEGER];
