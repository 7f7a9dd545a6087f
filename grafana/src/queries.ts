// One-line constructors for the three kinds of query the dashboards run, each bound to its
// datasource. Every Prometheus range query uses $__rate_interval in its rate() windows (at least
// four scrapes, so a rate never comes out empty).
import { DataqueryBuilder as LokiQueryBuilder } from '@grafana/grafana-foundation-sdk/loki';
import { DataqueryBuilder as PromQueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { LOKI, PROMETHEUS } from './datasources.ts';
import { JaegerSearchBuilder } from './jaeger-query.ts';

/** A PromQL range query; `legend` is Grafana's legend format, e.g. `{{service_name}}`. */
export function prom(expr: string, legend = '__auto', refId = 'A'): PromQueryBuilder {
  return new PromQueryBuilder().datasource(PROMETHEUS).refId(refId).expr(expr).legendFormat(legend).range();
}

/** A PromQL query evaluated once at the end of the range (stat, table and gauge panels). */
export function promInstant(expr: string, legend = '__auto', refId = 'A'): PromQueryBuilder {
  return new PromQueryBuilder().datasource(PROMETHEUS).refId(refId).expr(expr).legendFormat(legend).instant();
}

/** A LogQL query: a log stream for a logs panel, or a metric query with `legend`. */
export function loki(expr: string, legend?: string, refId = 'A'): LokiQueryBuilder {
  const query = new LokiQueryBuilder().datasource(LOKI).refId(refId).expr(expr);
  return legend === undefined ? query : query.legendFormat(legend);
}

/** A Jaeger trace search for one service (tags in logfmt). */
export function jaeger(service: string, tags?: string, refId = 'A'): JaegerSearchBuilder {
  const query = new JaegerSearchBuilder(service).refId(refId).limit(20);
  return tags === undefined ? query : query.tags(tags);
}
