// What the breakers dashboard repeats: the label filters of its queries, a time series whose
// legend is a table of last and max values (so the breaker that misbehaved is found without
// hovering), a stat of the latest value, and a zero line for counters not born yet.
import {
  BigValueColorMode,
  BigValueGraphMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { type Threshold, ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

// The label filters of every query, from the dashboard's variables (`=~`: "All" is a regex).
export const BREAKER = 'service_name=~"$service", breaker=~"$breaker"';
export const POLICY = 'service_name=~"$service", policy=~"$policy"';

/**
 * `perSeries`, or 0 for each series of `baseline` it has none for. Counters are born at their
 * first event: until a policy's first timeout, say, it has no timeout series, and a panel
 * would say "No data" where the truth is 0. Both sides must keep the same labels.
 */
export function zeroUntilFirstEvent(perSeries: string, baseline: string): string {
  return `${perSeries}\n  or\n0 * ${baseline}`;
}

export interface PanelText {
  title: string;
  /** What the panel tells the user, and how to read it (Grafana's ⓘ next to the title). */
  description: string;
  unit: string;
}

/** A time series 12 columns wide with a table legend (last, max), sorted by max. */
export function timeseriesPanel({ title, description, unit }: PanelText): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title(title)
    .description(description)
    .unit(unit)
    .span(12)
    .height(8)
    .fillOpacity(10)
    .legend(
      new VizLegendOptionsBuilder()
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .showLegend(true)
        .calcs(['lastNotNull', 'max'])
        .sortBy('Max')
        .sortDesc(true),
    );
}

/** From which value a stat changes colour, and to which colour (below it, green). */
export interface StatAlert {
  from: number;
  color: string;
}

/** A stat of the latest value, coloured by `alert`; without one, neither good nor bad. */
export function statPanel({ title, description, unit }: PanelText, alert?: StatAlert): StatPanelBuilder {
  const steps: Threshold[] = [{ value: null, color: alert === undefined ? 'text' : 'green' }];
  if (alert !== undefined) steps.push({ value: alert.from, color: alert.color });
  return new StatPanelBuilder()
    .title(title)
    .description(description)
    .unit(unit)
    .height(5)
    .graphMode(BigValueGraphMode.None)
    .colorMode(alert === undefined ? BigValueColorMode.None : BigValueColorMode.Background)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps));
}
