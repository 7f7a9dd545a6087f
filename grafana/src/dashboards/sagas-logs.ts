// The Sagas dashboard's Loki panels: the saga log lines, and the table of sagas that did not
// complete, whose ids lead to the saga's lines and its trace.
//
// Why Loki, not Prometheus or Jaeger, for the table: a saga id is unbounded, so it is no metric
// label; and Jaeger keeps only the traces the collector's tail sampling chose. The line
// @hopscope/instrumentation writes when a saga ends ("saga ended") carries everything a row
// needs: the package logs saga_id, saga_name, outcome and duration_seconds, and its trace
// context becomes the `trace_id` structured metadata (every field of a line arrives in Loki as
// structured metadata, through the OTLP pipeline; the line's body is the message).
import type { DataTransformerConfig, DynamicConfigValue } from '@grafana/grafana-foundation-sdk/dashboard';
import { LogsDedupStrategy, LogsSortOrder } from '@grafana/grafana-foundation-sdk/common';
import { LokiQueryDirection } from '@grafana/grafana-foundation-sdk/loki';
import { PanelBuilder as LogsPanel } from '@grafana/grafana-foundation-sdk/logs';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { JAEGER, LOKI } from '../datasources.ts';
import { loki } from '../queries.ts';
import { NOT_COMPLETED_OUTCOMES, OUTCOME_COLOURS } from './sagas-outcomes.ts';

/**
 * Lines written inside a saga (the instrumentation's logger adds saga_id and saga_name from
 * baggage), narrowed by `filter`. Each line is rewritten to lead with the saga, because the body
 * alone is only the message ("saga step sent"): which saga and step it is are metadata.
 */
function sagaLinesExpr(filter: string): string {
  return (
    `{service_name=~".+"} | ${filter} | line_format ` +
    '`{{.saga_name}} {{.saga_id}} · {{.service_name}} · {{__line__}}' +
    '{{if .step}} · {{.step}} {{.phase}}{{end}}{{if .outcome}} · {{.outcome}}{{end}}{{if .reason}} · {{.reason}}{{end}}`'
  );
}

/** The end of each saga that walked back (or tried to), newest first. */
const SAGAS_NOT_COMPLETED_EXPR = `{service_name=~".+"} |= "saga ended" | saga_name=~"$saga" | outcome=~"${NOT_COMPLETED_OUTCOMES}"`;

/** The table's columns, picked from the line's labels and structured metadata (Grafana's `labels` field). */
const COLUMNS = [
  { path: 'saga_name', alias: 'Saga' },
  { path: 'outcome', alias: 'Outcome' },
  { path: 'duration_seconds', alias: 'Duration' },
  { path: 'saga_id', alias: 'Saga id' },
  { path: 'trace_id', alias: 'Trace' },
  { path: 'service_name', alias: 'Ended by' },
];

const TABLE_TRANSFORMATIONS: DataTransformerConfig[] = [
  // Replaces Loki's own columns (the line, the labels object, ids, the derived trace_id) with the
  // line's time and the columns above, in that order.
  {
    id: 'extractFields',
    options: { source: 'labels', format: 'json', jsonPaths: COLUMNS, replace: true, keepTime: true },
  },
  { id: 'convertFieldType', options: { conversions: [{ targetField: 'Duration', destinationType: 'number' }] } },
  { id: 'sortBy', options: { sort: [{ field: 'Time', desc: true }] } },
];

/** Opens every line of this saga, across services, in Explore. */
const sagaLinesLink: DynamicConfigValue = {
  id: 'links',
  value: [
    {
      title: 'Log lines of saga ${__value.raw}',
      url: '',
      internal: {
        datasourceUid: LOKI.uid,
        datasourceName: 'Loki',
        query: { refId: 'A', datasource: LOKI, expr: sagaLinesExpr('saga_id="${__value.raw}"') },
      },
    },
  ],
};

/** Opens the trace in Jaeger (a trace-id query). */
const traceLink: DynamicConfigValue = {
  id: 'links',
  value: [
    {
      title: 'Trace ${__value.raw}',
      url: '',
      internal: {
        datasourceUid: JAEGER.uid,
        datasourceName: 'Jaeger',
        query: { refId: 'A', datasource: JAEGER, query: '${__value.raw}' },
      },
    },
  ],
};

const outcomeColours: DynamicConfigValue = {
  id: 'mappings',
  value: Object.entries(OUTCOME_COLOURS).map(([outcome, color]) => ({
    type: 'value',
    options: { [outcome]: { color, index: 0 } },
  })),
};

export function failedSagasTable(): TablePanel {
  return new TablePanel()
    .title('Recent failed and compensated sagas')
    .description(
      'Each saga that ended compensated, timed_out or failed, newest first. Click a saga id for all its ' +
        'log lines across services, a trace id for its trace in Jaeger (kept there when the collector’s tail ' +
        'sampling kept it: errors and slow traces always are).',
    )
    .datasource(LOKI)
    .withTarget(loki(SAGAS_NOT_COMPLETED_EXPR).direction(LokiQueryDirection.Backward).maxLines(100))
    .transformations(TABLE_TRANSFORMATIONS)
    .overrideByName('Duration', [{ id: 'unit', value: 's' }])
    .overrideByName('Outcome', [outcomeColours, { id: 'custom.cellOptions', value: { type: 'color-text' } }])
    .overrideByName('Saga id', [sagaLinesLink])
    .overrideByName('Trace', [traceLink]);
}

export function sagaLogLines(): LogsPanel {
  return new LogsPanel()
    .title('Saga log lines')
    .description(
      'Every line logged inside a saga, by any service (the saga travels in baggage). Open a line for its ' +
        'saga_id, step and trace.',
    )
    .datasource(LOKI)
    .withTarget(loki(sagaLinesExpr('saga_name=~"$saga"')).direction(LokiQueryDirection.Backward).maxLines(500))
    .showTime(true)
    .showLabels(false)
    .showCommonLabels(false)
    .wrapLogMessage(true)
    .enableLogDetails(true)
    .prettifyLogMessage(false)
    .sortOrder(LogsSortOrder.Descending)
    .dedupStrategy(LogsDedupStrategy.None);
}
