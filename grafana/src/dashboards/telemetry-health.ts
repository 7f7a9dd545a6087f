// One verdict per service that tells "my service is quiet" from "its telemetry is broken": the
// evidence is read in order of severity, and the first that holds for a service wins (PromQL
// `or` keeps the left-hand series of each label set).
import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueTextMode,
  ReduceDataOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { MappingType, type ValueMap } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { promInstant } from '../queries.ts';

const VERDICTS = [
  { value: 4, text: 'metrics unreachable', color: 'red' },
  { value: 3, text: 'losing telemetry', color: 'red' },
  { value: 2, text: 'requests, but no spans', color: 'orange' },
  { value: 1, text: 'quiet (no requests)', color: 'blue' },
  { value: 0, text: 'exporting', color: 'green' },
] as const;

// Five minutes: long enough that a batch exporter (one export every few seconds) has reported
// several times, short enough that a fault that ended stops counting against the service.
const WINDOW = '5m';

/** `0 * (expr) + value`: the series `expr` filtered to, each with the verdict as its value. */
function verdict(value: number, expr: string): string {
  return value === 0 ? `0 * (${expr})` : `0 * (${expr}) + ${value}`;
}

export function telemetryVerdictExpr(serviceMatcher: string): string {
  // One rate per counter, joined by `or`: a rate over a {__name__=~...} selector would drop the
  // names and leave two series with one label set, which Prometheus refuses.
  const losing = ['spans_dropped', 'spans_export_failed', 'log_records_dropped', 'log_records_export_failed']
    .map((c) => `sum by (service_name) (rate(hopscope_telemetry_${c}_total{${serviceMatcher}}[${WINDOW}])) > 0`)
    .join(' or ');
  return [
    verdict(4, `min by (service_name) (up{${serviceMatcher}}) == 0`),
    verdict(3, losing),
    verdict(
      0,
      `sum by (service_name) (rate(hopscope_telemetry_spans_exported_total{${serviceMatcher}}[${WINDOW}])) > 0`,
    ),
    verdict(
      2,
      `sum by (service_name) (rate(http_server_request_duration_seconds_count{${serviceMatcher}}[${WINDOW}])) > 0`,
    ),
    verdict(1, `max by (service_name) (up{${serviceMatcher}})`),
  ].join('\nor\n');
}

const VERDICT_TEXT: ValueMap = {
  type: MappingType.ValueToText,
  options: Object.fromEntries(VERDICTS.map(({ value, text, color }, index) => [String(value), { text, color, index }])),
};

export function telemetryVerdictPanel(serviceMatcher: string): StatPanelBuilder {
  return new StatPanelBuilder()
    .title('Telemetry health per service')
    .description(
      [
        'What each service’s telemetry did in the last 5 minutes, worst first:',
        'metrics unreachable (Prometheus cannot scrape it);',
        'losing telemetry (its SDK dropped spans or log records, or failed to export them: is the collector up?);',
        'exporting; requests, but no spans (the SDK sends nothing although the service works);',
        'quiet (reachable, no requests, nothing to export: nothing is wrong).',
      ].join(' '),
    )
    .span(10)
    .height(8)
    .graphMode(BigValueGraphMode.None)
    .colorMode(BigValueColorMode.Background)
    .textMode(BigValueTextMode.ValueAndName)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .mappings([VERDICT_TEXT])
    .withTarget(promInstant(telemetryVerdictExpr(serviceMatcher), '{{service_name}}'));
}
