// What every hopscope dashboard shares: the "hopscope" tag, a time range and refresh that suit
// a live demo, links to its sibling dashboards (keeping time range and variables), and the
// active chaos faults as annotations, so that a learner sees when a fault went on and off.
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder as PromQueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PROMETHEUS } from './datasources.ts';
import { HOPSCOPE_TAG } from './uids.ts';

export interface DashboardIdentity {
  uid: string;
  title: string;
  /** The question the dashboard answers (shown under its title in Grafana's dashboard list). */
  description: string;
}

/** The Prometheus expression the chaos annotation runs: a series per fault while it is on. */
export const CHAOS_FAULTS_ACTIVE_EXPR = 'max by (service_name, fault) (hopscope_chaos_fault_active) > 0';

export function hopscopeDashboard({ uid, title, description }: DashboardIdentity): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([HOPSCOPE_TAG])
    .time({ from: 'now-30m', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .link(
      new DashboardLinkBuilder('hopscope')
        .type(DashboardLinkType.Dashboards)
        .tags([HOPSCOPE_TAG])
        .asDropdown(false)
        .includeVars(true)
        .keepTime(true),
    )
    .annotation(
      new AnnotationQueryBuilder()
        .name('Chaos faults')
        .datasource(PROMETHEUS)
        .enable(true)
        .iconColor('red')
        .target(new PromQueryBuilder().refId('Anno').expr(CHAOS_FAULTS_ACTIVE_EXPR).range())
        .expr(CHAOS_FAULTS_ACTIVE_EXPR)
        .step('15s')
        .titleFormat('{{fault}} on {{service_name}}')
        .tagKeys('service_name,fault'),
    );
}
