// The four ways a saga ends (instrumentation/src/saga/sagas.ts SAGA_OUTCOMES), each with one
// colour on every Sagas panel, so that "compensated" is the same orange in a stat, a graph and
// the table, and a learner reads the outcome before the legend.
import type { DynamicConfigValue } from '@grafana/grafana-foundation-sdk/dashboard';

export const OUTCOME_COLOURS = {
  completed: 'green',
  compensated: 'orange',
  timed_out: 'purple',
  failed: 'red',
} as const;

/** The outcomes other than `completed`: the saga walked its steps back (or tried to). */
export const NOT_COMPLETED_OUTCOMES = 'compensated|timed_out|failed';

interface OverridableByRegexp<T> {
  overrideByRegexp(regexp: string, properties: DynamicConfigValue[]): T;
}

/**
 * Colours each series by the outcome its display name ends with (legends end in `{{outcome}}`).
 * `\b` keeps `completed` from matching inside another word.
 */
export function colourByOutcome<T extends OverridableByRegexp<T>>(panel: T): T {
  return Object.entries(OUTCOME_COLOURS).reduce(
    (builder, [outcome, colour]) =>
      builder.overrideByRegexp(`.*\\b${outcome}$`, [{ id: 'color', value: { mode: 'fixed', fixedColor: colour } }]),
    panel,
  );
}
