// Sagas: are sagas finishing, how many walk back, is one stuck, and which ones failed — with
// the way from a failed saga to its trace. Metrics from @hopscope/instrumentation/saga
// (hopscope_saga_*; labels saga, outcome, step, phase), log lines from Loki.
import {
  BigValueColorMode,
  BigValueGraphMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import {
  type Dashboard,
  type Panel as DashboardPanel,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { hopscopeDashboard } from '../hopscope-dashboard.ts';
import { prom, promInstant } from '../queries.ts';
import { DASHBOARD_UIDS } from '../uids.ts';
import { labelVariable } from '../variables.ts';
import { colourByOutcome } from './sagas-outcomes.ts';
import { failedSagasTable, sagaLogLines } from './sagas-logs.ts';

/** Any panel of this dashboard. */
type Panel = Builder<DashboardPanel>;

const SAGA = 'saga=~"$saga"';

/** A saga in flight for longer than this is late: a step took more than twice its 10 s timeout. */
const LATE_SAGA_SECONDS = 30;
/** …and longer than this is stuck (the orchestrator-crash scenario's "no saga stuck" bar). */
const STUCK_SAGA_SECONDS = 60;

/** Share of ended sagas that did not complete; 1 − completed/ended stays 0 while none walked back. */
function notCompletedRatio(window: string, by = 'saga'): string {
  const ended = (outcome: string) =>
    `sum by (${by}) (increase(hopscope_saga_ended_total{${SAGA}${outcome}}[${window}]))`;
  return `1 - ${ended(',outcome="completed"')} / ${ended('')}`;
}

function quantile(q: number, metric: string, by: string): string {
  return `histogram_quantile(${q}, sum by (${by}, le) (rate(${metric}_bucket{${SAGA}}[$__rate_interval])))`;
}

const legendTable = (...calcs: string[]) =>
  new VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(LegendDisplayMode.Table)
    .placement(LegendPlacement.Right)
    .calcs(calcs);

const legendList = () =>
  new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom);

const lastValue = () => new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);

function thresholds(...steps: [number | null, string][]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps(steps.map(([value, color]) => ({ value, color })));
}

const compensationThresholds = () => thresholds([null, 'green'], [0.05, 'yellow'], [0.2, 'red']);
const ageThresholds = () => thresholds([null, 'green'], [LATE_SAGA_SECONDS, 'yellow'], [STUCK_SAGA_SECONDS, 'red']);

function overviewPanels(): Panel[] {
  return [
    new StatPanel()
      .id(2)
      .title('Sagas started')
      .description('Sagas started over the dashboard’s time range, per saga type.')
      .withTarget(promInstant(`sum by (saga) (increase(hopscope_saga_started_total{${SAGA}}[$__range]))`, '{{saga}}'))
      .unit('short')
      .decimals(0)
      .reduceOptions(lastValue())
      .colorMode(BigValueColorMode.None)
      .graphMode(BigValueGraphMode.None)
      .span(5)
      .height(5),
    colourByOutcome(
      new StatPanel()
        .id(3)
        .title('Sagas ended by outcome')
        .description(
          'Sagas ended over the time range: completed, compensated (walked back), timed_out (a participant ' +
            'never answered) or failed (a compensation failed: a case for a person).',
        )
        .withTarget(
          promInstant(`sum by (outcome) (increase(hopscope_saga_ended_total{${SAGA}}[$__range]))`, '{{outcome}}'),
        )
        .unit('short')
        .decimals(0)
        .reduceOptions(lastValue())
        .colorMode(BigValueColorMode.Value)
        .graphMode(BigValueGraphMode.None)
        .span(5)
        .height(5),
    ),
    new StatPanel()
      .id(4)
      .title('Compensation ratio over the range')
      .description(
        'Share of the sagas ended in the time range that did not complete (compensated, timed out or failed).',
      )
      .withTarget(promInstant(notCompletedRatio('$__range'), '{{saga}}'))
      .unit('percentunit')
      .decimals(1)
      .min(0)
      .max(1)
      .thresholds(compensationThresholds())
      .reduceOptions(lastValue())
      .colorMode(BigValueColorMode.Background)
      .graphMode(BigValueGraphMode.None)
      .span(5)
      .height(5),
    new StatPanel()
      .id(5)
      .title('Sagas in flight now')
      .description('Sagas started and not yet ended, read from the saga table at each scrape.')
      .withTarget(promInstant(`max by (saga) (hopscope_saga_in_flight{${SAGA}})`, '{{saga}}'))
      .unit('short')
      .decimals(0)
      .reduceOptions(lastValue())
      .colorMode(BigValueColorMode.None)
      .graphMode(BigValueGraphMode.None)
      .span(4)
      .height(5),
    new StatPanel()
      .id(6)
      .title('Oldest in flight now')
      .description(
        `Age of the oldest saga still running: yellow past ${LATE_SAGA_SECONDS} s, red (stuck) past ${STUCK_SAGA_SECONDS} s.`,
      )
      .withTarget(promInstant(`max by (saga) (hopscope_saga_oldest_in_flight_age_seconds{${SAGA}})`, '{{saga}}'))
      .unit('s')
      .decimals(0)
      .thresholds(ageThresholds())
      .reduceOptions(lastValue())
      .colorMode(BigValueColorMode.Background)
      .graphMode(BigValueGraphMode.None)
      .span(5)
      .height(5),
  ];
}

function throughputPanels(): Panel[] {
  return [
    new TimeseriesPanel()
      .id(8)
      .title('Sagas started per second')
      .withTarget(prom(`sum by (saga) (rate(hopscope_saga_started_total{${SAGA}}[$__rate_interval]))`, '{{saga}}'))
      .unit('suffix: sagas/s')
      .min(0)
      .legend(legendList())
      .span(8)
      .height(8),
    colourByOutcome(
      new TimeseriesPanel()
        .id(9)
        .title('Sagas ended per second by outcome')
        .description('Stacked: the top line is every saga ended; orange, purple and red bands walked back.')
        .withTarget(
          prom(
            `sum by (saga, outcome) (rate(hopscope_saga_ended_total{${SAGA}}[$__rate_interval]))`,
            '{{saga}} {{outcome}}',
          ),
        )
        .unit('suffix: sagas/s')
        .min(0)
        .fillOpacity(30)
        .stacking(new StackingConfigBuilder().mode(StackingMode.Normal))
        .legend(legendList())
        .span(8)
        .height(8),
    ),
    new TimeseriesPanel()
      .id(10)
      .title('Compensation ratio')
      .description(
        'Share of ended sagas that did not complete (compensated, timed out or failed), over the last ' +
          'minute. Yellow past 5 %, red past 20 %.',
      )
      .withTarget(prom(notCompletedRatio('$__rate_interval'), '{{saga}}'))
      .unit('percentunit')
      .min(0)
      .max(1)
      .thresholds(compensationThresholds())
      .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.DashedAndArea))
      .legend(legendList())
      .span(8)
      .height(8),
  ];
}

function inFlightPanels(): Panel[] {
  return [
    new TimeseriesPanel()
      .id(12)
      .title('Sagas in flight')
      .description(
        'Sagas started and not yet ended. Read from the saga table, so it survives an orchestrator ' +
          'restart; a line that only climbs means sagas are not ending.',
      )
      .withTarget(prom(`max by (saga) (hopscope_saga_in_flight{${SAGA}})`, '{{saga}}'))
      .unit('short')
      .decimals(0)
      .min(0)
      .legend(legendTable('lastNotNull', 'max'))
      .span(12)
      .height(8),
    new TimeseriesPanel()
      .id(13)
      .title('Oldest in-flight saga age')
      .description(
        'How long the oldest running saga of each type has been going (0 when none runs). A healthy ' +
          `saga ends within seconds; past ${LATE_SAGA_SECONDS} s it is late, past ${STUCK_SAGA_SECONDS} s it is ` +
          'stuck: find it in the log lines below by its saga_id.',
      )
      .withTarget(prom(`max by (saga) (hopscope_saga_oldest_in_flight_age_seconds{${SAGA}})`, '{{saga}}'))
      .unit('s')
      .min(0)
      .axisSoftMax(STUCK_SAGA_SECONDS + 10)
      .thresholds(ageThresholds())
      .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.DashedAndArea))
      .legend(legendTable('lastNotNull', 'max'))
      .span(12)
      .height(8),
  ];
}

function durationPanels(): Panel[] {
  const sagaDuration = 'hopscope_saga_duration_seconds';
  const stepDuration = 'hopscope_saga_step_duration_seconds';
  return [
    colourByOutcome(
      new TimeseriesPanel()
        .id(15)
        .title('Saga duration by outcome (p50, p95)')
        .description(
          'From start to end. A compensated saga takes its failed step plus every compensation; a timed-out ' +
            'one takes at least the step timeout.',
        )
        .withTarget(prom(quantile(0.95, sagaDuration, 'saga, outcome'), 'p95 {{saga}} {{outcome}}', 'A'))
        .withTarget(prom(quantile(0.5, sagaDuration, 'saga, outcome'), 'p50 {{saga}} {{outcome}}', 'B'))
        .overrideByRegexp('^p50 .*', [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }])
        .unit('s')
        .min(0)
        .legend(legendTable('mean', 'max'))
        .span(12)
        .height(9),
    ),
    new TimeseriesPanel()
      .id(16)
      .title('Step duration by step and phase (p95)')
      .description(
        'Each participant’s work on a step: execute (the step itself) and compensate (undoing it), ' +
          'timed where the participant runs it.',
      )
      .withTarget(prom(quantile(0.95, stepDuration, 'saga, step, phase'), '{{saga}} {{step}} {{phase}}'))
      .overrideByRegexp('.* compensate$', [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }])
      .unit('s')
      .min(0)
      .legend(legendTable('mean', 'max'))
      .span(12)
      .height(9),
  ];
}

function logsPanels(): Panel[] {
  return [failedSagasTable().id(18).span(24).height(9), sagaLogLines().id(19).span(24).height(12)];
}

/** The dashboard's rows, top to bottom: each a title, its (pinned) id, and the panels under it. */
const SECTIONS: [title: string, id: number, panels: () => Panel[]][] = [
  ['Over the time range, and now', 1, overviewPanels],
  ['Started and ended', 7, throughputPanels],
  ['In flight and stuck sagas', 11, inFlightPanels],
  ['Durations', 14, durationPanels],
  ['Failed sagas and saga log lines', 17, logsPanels],
];

export function sagasDashboard(): Dashboard {
  const dashboard = hopscopeDashboard({
    uid: DASHBOARD_UIDS.sagas,
    title: 'Sagas',
    description:
      'Are sagas finishing? How many walk back (compensate), is one stuck in flight, which steps are slow, ' +
      'and which sagas failed — each linked to its trace.',
  }).withVariable(labelVariable('saga', 'saga', 'hopscope_saga_started_total', 'Saga'));
  // Expanded rows: Grafana reads an expanded row's panels from the top level after it (only a
  // collapsed row holds its panels), so each row is followed by its panels, not given them.
  for (const [title, id, panels] of SECTIONS) {
    dashboard.withRow(new RowBuilder(title).id(id));
    for (const panel of panels()) dashboard.withPanel(panel);
  }
  return dashboard.build();
}
