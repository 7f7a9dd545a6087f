// Template variables, filled from the label values Prometheus holds. Each one includes "All",
// so a dashboard opened without choosing shows everything. All is the regex `.+`, not `.*`:
// Loki refuses a stream selector that can match an empty label.
import { QueryVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { PROMETHEUS } from './datasources.ts';

/** A variable over `label_values(<metric>, <label>)`, refreshed whenever the time range changes. */
export function labelVariable(name: string, label: string, metric: string, title = name): QueryVariableBuilder {
  const query = `label_values(${metric}, ${label})`;
  return new QueryVariableBuilder(name)
    .label(title)
    .datasource(PROMETHEUS)
    .query({ qryType: 1, label, metric, query, refId: 'PrometheusVariableQueryEditor-VariableQuery' })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.+')
    .current({ text: 'All', value: '$__all' });
}
