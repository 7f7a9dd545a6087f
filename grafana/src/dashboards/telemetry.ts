// Telemetry pipeline: the path every span and log record takes — the service's SDK (hopscope's
// own counters), then the OTel Collector (what it accepted, refused, sent and failed to send) —
// so that a user can tell a quiet service from telemetry that is being lost, and where.
import { BigValueColorMode, BigValueGraphMode, ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { type Dashboard, MappingType } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TextPanelBuilder, TextMode } from '@grafana/grafana-foundation-sdk/text';
import { hopscopeDashboard } from '../hopscope-dashboard.ts';
import { prom, promInstant } from '../queries.ts';
import { DASHBOARD_UIDS } from '../uids.ts';
import { labelVariable } from '../variables.ts';
import { type Section, timeseries, withSections } from '../panels.ts';
import { zeroWhereAbsent } from '../promql.ts';
import { telemetryVerdictPanel } from './telemetry-health.ts';

const SERVICE = 'service_name=~"$service"';
// The collector's own metrics carry no _total or unit suffix here: Prometheus 3 scrapes its
// exporter with UTF-8 names allowed, and it then keeps the OTel names as they are (its labels
// keep their dots too, e.g. server.address).
const COLLECTOR = 'job="otel-collector"';

/** Per second, summed by `by`, over the dashboard's rate interval. */
function rateBy(by: string, selector: string): string {
  return `sum by (${by}) (rate(${selector}[$__rate_interval]))`;
}

const HOW_TO_READ = `**Quiet, or broken?**

- *Quiet*: no requests, and no spans exported either. Nothing is lost.
- *Broken in the service*: spans or log records **dropped** (its export queue is full) or **failed** (the collector did not take them: is it up?).
- *Broken in the collector*: it **refused** data (its memory limiter), or an exporter **failed** to send to Jaeger, Loki or Prometheus, or its queue is full.

Requests with no spans exported, while nothing is dropped or failed, means the SDK is not sending at all.`;

function quietOrBroken(): Section {
  return {
    title: 'Quiet, or broken?',
    panels: [
      new TextPanelBuilder()
        .title('How to read this dashboard')
        .mode(TextMode.Markdown)
        .content(HOW_TO_READ)
        .span(9)
        .height(8),
      telemetryVerdictPanel(SERVICE),
      new StatPanelBuilder()
        .title('Collector up')
        .description(
          'Whether Prometheus can scrape the OTel Collector. When it is down, every service’s exports fail and nothing new reaches Jaeger or Loki.',
        )
        .span(5)
        .height(8)
        .graphMode(BigValueGraphMode.None)
        .colorMode(BigValueColorMode.Background)
        .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
        .mappings([
          {
            type: MappingType.ValueToText,
            options: { '0': { text: 'down', color: 'red', index: 0 }, '1': { text: 'up', color: 'green', index: 1 } },
          },
        ])
        .withTarget(promInstant(`up{${COLLECTOR}}`, '{{instance}}')),
      timeseries({
        title: 'Requests answered and spans exported',
        description:
          'Requests per second each service answered, next to the spans per second its SDK exported. Both near 0: the service is quiet. Requests without spans: its telemetry is lost.',
        unit: 'short',
      })
        .span(24)
        .targets([
          prom(
            rateBy('service_name', `http_server_request_duration_seconds_count{${SERVICE}}`),
            '{{service_name}} requests/s',
            'A',
          ),
          prom(
            rateBy('service_name', `hopscope_telemetry_spans_exported_total{${SERVICE}}`),
            '{{service_name}} spans exported/s',
            'B',
          ),
        ]),
    ],
  };
}

/** Exported, dropped and failed per second for one signal of the services' SDKs. */
function sdkOutcomes(signal: 'spans' | 'log_records', noun: string): ReturnType<typeof prom>[] {
  // These counters have no labels of their own, so prom-client exposes each at 0 from the
  // start: a service that never dropped anything shows a 0 line, not a gap.
  const perSecond = (outcome: string) =>
    rateBy('service_name', `hopscope_telemetry_${signal}_${outcome}_total{${SERVICE}}`);
  return [
    prom(perSecond('exported'), `{{service_name}} ${noun} exported`, 'A'),
    prom(perSecond('dropped'), `{{service_name}} ${noun} dropped`, 'B'),
    prom(perSecond('export_failed'), `{{service_name}} ${noun} failed`, 'C'),
  ];
}

function servicesSdk(): Section {
  return {
    title: 'In the services: hopscope’s exporters',
    panels: [
      timeseries({
        title: 'Spans exported, dropped and failed per service',
        description:
          'Spans per second each service’s SDK exported to the collector, dropped (its queue was full) and failed to export (the collector refused or did not answer). A service that drops or fails nothing shows 0.',
        unit: 'short',
      }).targets(sdkOutcomes('spans', 'spans')),
      timeseries({
        title: 'Log records exported, dropped and failed per service',
        description:
          'The same for log records: exported to the collector, dropped with a full queue, failed to export.',
        unit: 'short',
      }).targets(sdkOutcomes('log_records', 'log records')),
    ],
  };
}

/**
 * Accepted, refused (the memory limiter pushed back; the sender may retry) and failed (an error
 * inside the pipeline) per second, for each signal the collector's receivers take in.
 */
function receiverOutcomes(): ReturnType<typeof prom>[] {
  const signals = [
    { metric: 'spans', noun: 'spans' },
    { metric: 'log_records', noun: 'log records' },
  ];
  return signals.flatMap(({ metric, noun }, i) => {
    // The receiver creates its three counters together, at 0: no fallback needed.
    const perSecond = (outcome: string) => rateBy('receiver', `otelcol_receiver_${outcome}_${metric}{${COLLECTOR}}`);
    return [
      prom(perSecond('accepted'), `{{receiver}} ${noun} accepted`, `${'AB'[i]}1`),
      prom(perSecond('refused'), `{{receiver}} ${noun} refused`, `${'AB'[i]}2`),
      prom(perSecond('failed'), `{{receiver}} ${noun} failed`, `${'AB'[i]}3`),
    ];
  });
}

/** Sent and failed per second for each exporter, one pair of queries per signal. */
function exporterOutcomes(): ReturnType<typeof prom>[] {
  const signals = [
    { metric: 'spans', noun: 'spans' },
    { metric: 'log_records', noun: 'log records' },
    { metric: 'metric_points', noun: 'metric points' },
  ];
  return signals.flatMap(({ metric, noun }, i) => {
    const sent = rateBy('exporter', `otelcol_exporter_sent_${metric}{${COLLECTOR}}`);
    // Unlike the receiver's, an exporter's failure counter is born with its first failure.
    const failed = rateBy('exporter', `otelcol_exporter_send_failed_${metric}{${COLLECTOR}}`);
    return [
      prom(sent, `{{exporter}} ${noun} sent`, `${'ABC'[i]}1`),
      prom(zeroWhereAbsent(failed, sent), `{{exporter}} ${noun} failed`, `${'ABC'[i]}2`),
    ];
  });
}

function collector(): Section {
  return {
    title: 'In the OTel Collector',
    panels: [
      timeseries({
        title: 'Accepted and refused by the collector, per signal',
        description:
          'Spans and log records per second the collector’s OTLP receiver accepted from the services, refused (its memory limiter pushed back; the SDKs retry) and failed (an error further down the pipeline). Collector-wide, not per service.',
        unit: 'short',
      }).targets(receiverOutcomes()),
      timeseries({
        title: 'Sent and failed per exporter',
        description:
          'Spans (to Jaeger, after tail sampling), log records (to Loki) and span metrics (to Prometheus) per second each exporter sent, and failed to send (the backend is down or refuses). 0 while nothing fails.',
        unit: 'short',
      }).targets(exporterOutcomes()),
      timeseries({
        title: 'Exporter queue fill',
        description:
          'How full each exporter’s sending queue is (size / capacity). A queue that stays full means its backend is slower than the traffic; at 100% the collector drops new data.',
        unit: 'percentunit',
      })
        .max(1)
        .withTarget(
          prom(
            `sum by (exporter) (otelcol_exporter_queue_size{${COLLECTOR}})\n/ sum by (exporter) (otelcol_exporter_queue_capacity{${COLLECTOR}})`,
            '{{exporter}}',
          ),
        ),
      timeseries({
        title: 'Collector memory',
        description:
          'The collector process’s resident memory and its Go heap. The memory limiter refuses data as the heap approaches its limit (80% of the memory available).',
        unit: 'bytes',
      }).targets([
        prom(`otelcol_process_memory_rss{${COLLECTOR}}`, 'resident {{instance}}', 'A'),
        prom(`otelcol_process_runtime_heap_alloc_bytes{${COLLECTOR}}`, 'Go heap {{instance}}', 'B'),
      ]),
    ],
  };
}

export function telemetryDashboard(): Dashboard {
  const dashboard = hopscopeDashboard({
    uid: DASHBOARD_UIDS.telemetry,
    title: 'Telemetry pipeline',
    description:
      'Is my service quiet, or is its telemetry broken? Follows spans and log records from each service’s SDK through the OTel Collector, and shows where they are dropped, refused or fail to send.',
  })
    // `up` names every scraped service, also one whose exporter never worked.
    .withVariable(labelVariable('service', 'service_name', 'up{job="services"}', 'Service'));
  return withSections(dashboard, [quietOrBroken(), servicesSdk(), collector()]).build();
}
