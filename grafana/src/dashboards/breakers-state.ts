// The breaker-state row: how many breakers are open now, since when, the state of each breaker
// over time, and the transitions — counted and as the log lines that explain them.
import {
  GraphDrawStyle,
  LegendDisplayMode,
  LegendPlacement,
  LogsSortOrder,
  VisibilityMode,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { MappingType, type ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as LogsPanelBuilder } from '@grafana/grafana-foundation-sdk/logs';
import type { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelinePanelBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import type { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { loki, prom, promInstant } from '../queries.ts';
import { timeseries } from '../panels.ts';
import { BREAKER, statPanel } from './breakers-panel-defaults.ts';

/** The number each state is drawn as in the state timeline, with its text and colour. */
const STATE_CODES = {
  closed: { code: 0, color: 'green' },
  open: { code: 1, color: 'red' },
  half_open: { code: 2, color: 'yellow' },
  isolated: { code: 3, color: 'purple' },
} as const;

// The state gauge is one-hot (1 on the current state's series), so the sum of code × gauge over
// the states is the current state's code: one series per breaker that a state timeline can map.
const STATE_CODE_EXPR = Object.entries(STATE_CODES)
  .filter(([, { code }]) => code > 0)
  .map(
    ([state, { code }]) =>
      `${code} * max by (service_name, instance, breaker) (hopscope_circuit_breaker_state{${BREAKER}, state="${state}"})`,
  )
  .join('\n+ ');

const STATE_MAPPINGS: ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: Object.fromEntries(
      Object.entries(STATE_CODES).map(([state, { code, color }], index) => [
        String(code),
        { text: state, color, index },
      ]),
    ),
  },
];

export function breakersOpenNow(): StatPanelBuilder {
  return statPanel(
    {
      title: 'Breakers open now',
      description:
        'Breakers (one per breaker and instance) refusing every call right now. Each open breaker turns calls to its dependency into immediate failures: see "Calls rejected while open".',
      unit: 'short',
    },
    { from: 1, color: 'red' },
  )
    .span(6)
    .withTarget(promInstant(`sum(hopscope_circuit_breaker_state{${BREAKER}, state="open"})`, 'open'));
}

export function breakersHalfOpenNow(): StatPanelBuilder {
  return statPanel(
    {
      title: 'Breakers half-open now',
      description:
        'Breakers letting test calls through after their break duration: the next outcome closes them (recovered) or opens them again. A breaker that keeps coming back here is flapping.',
      unit: 'short',
    },
    { from: 1, color: 'yellow' },
  )
    .span(6)
    .withTarget(promInstant(`sum(hopscope_circuit_breaker_state{${BREAKER}, state="half_open"})`, 'half-open'));
}

export function timeSinceLastTransition(): StatPanelBuilder {
  return statPanel({
    title: 'Time since last transition',
    description:
      'How long each breaker has been in its current state (the latest transition over its instances). A breaker that never changed state shows the time since its process started.',
    unit: 's',
  })
    .span(12)
    .withTarget(
      promInstant(
        `time() - max by (breaker) (hopscope_circuit_breaker_last_transition_timestamp_seconds{${BREAKER}})`,
        '{{breaker}}',
      ),
    );
}

export function stateTimeline(): StateTimelinePanelBuilder {
  return new StateTimelinePanelBuilder()
    .title('State timeline')
    .description(
      'Each breaker (per instance) over time: closed (calls pass), open (calls refused at once), half_open (a test call decides), isolated (held open by hand). Chaos faults are marked as annotations.',
    )
    .span(24)
    .height(8)
    .mappings(STATE_MAPPINGS)
    .showValue(VisibilityMode.Never)
    .mergeValues(true)
    .rowHeight(0.8)
    .fillOpacity(80)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.List)
        .placement(LegendPlacement.Bottom),
    )
    .withTarget(prom(STATE_CODE_EXPR, '{{breaker}} ({{service_name}} {{instance}})'));
}

export function transitionsPerMinute(): TimeseriesPanelBuilder {
  return timeseries({
    title: 'Transitions per minute, by new state',
    description:
      'How often breakers change state. While a dependency stays down its breaker cycles open → half_open → open (each test call fails). Going back to closed and opening again, over and over, is flapping: the dependency fails intermittently, or the threshold is too tight for its error rate.',
    unit: 'opm',
  })
    .span(8)
    .drawStyle(GraphDrawStyle.Bars)
    .withTarget(
      prom(
        `sum by (breaker, to_state) (rate(hopscope_circuit_breaker_transitions_total{${BREAKER}}[$__rate_interval])) * 60`,
        '{{breaker}} → {{to_state}}',
      ),
    );
}

// The line's body is the message alone; breaker, from_state, to_state and reason arrive as the
// record's attributes, which Loki keeps as structured metadata (filterable without a parser).
// line_format writes them into the line, so each one reads as what happened.
const TRANSITION_LINES = [
  '{service_name=~"$service"} |= "circuit breaker transition" | breaker=~"$breaker"',
  'line_format "{{.breaker}}: {{.from_state}} → {{.to_state}} ({{.reason}})"',
].join(' | ');

export function transitionLogLines(): LogsPanelBuilder {
  return new LogsPanelBuilder()
    .title('Transition log lines')
    .description(
      'The log line every transition writes (warn when opening, info when closing), with the reason: the failure that tripped the breaker, or the test call that closed it. Its trace_id links to the trace of the call that caused it.',
    )
    .span(16)
    .height(8)
    .showTime(true)
    .wrapLogMessage(true)
    .enableLogDetails(true)
    .sortOrder(LogsSortOrder.Descending)
    .withTarget(loki(TRANSITION_LINES));
}
