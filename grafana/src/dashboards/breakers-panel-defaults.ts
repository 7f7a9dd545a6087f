// What the breakers dashboard repeats: the label filters of its queries and a stat of the
// latest value.
import { BigValueColorMode, BigValueGraphMode, ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { type Threshold, ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import type { PanelText } from '../panels.ts';

// The label filters of every query, from the dashboard's variables (`=~`: "All" is a regex).
export const BREAKER = 'service_name=~"$service", breaker=~"$breaker"';
export const POLICY = 'service_name=~"$service", policy=~"$policy"';

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
