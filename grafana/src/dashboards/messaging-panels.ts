// The Messaging dashboard's two building blocks: one look for its time series (a table legend
// with the last and the largest value, so a spike that has passed can still be read off), and
// a zero for the counters that are only born with their first event.
import { LegendDisplayMode, LegendPlacement, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

export interface MessagingPanel {
  title: string;
  /** What the panel answers, shown behind the (i) next to its title. */
  description: string;
  /** A Grafana unit id: `mps` (messages/s), `s`, `short`. */
  unit: string;
  /** Grid columns out of 24. @default 12 */
  span?: number;
}

export function messagingTimeseries({ title, description, unit, span = 12 }: MessagingPanel): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title(title)
    .description(description)
    .unit(unit)
    .min(0)
    .span(span)
    .height(8)
    .fillOpacity(10)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .calcs(['lastNotNull', 'max']),
    );
}

/**
 * `expr`, or 0 for every series of `baseline` whose `on` labels `expr` lacks. A Prometheus
 * counter has no series until its first event: without this, a panel about retries would say
 * "No data" in a healthy system, where the truthful answer is 0 per destination.
 */
export function orZeroWhereAbsent(expr: string, baseline: string, on: string[]): string {
  return `${expr} or on (${on.join(', ')}) 0 * ${baseline}`;
}
