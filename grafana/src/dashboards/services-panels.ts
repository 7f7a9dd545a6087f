// The Services (RED) dashboard's building blocks: one look for its time series, rows that stay
// open, and a zero for counters that are only born with their first event.
import { LegendDisplayMode, LegendPlacement, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import { type DashboardBuilder, type Panel, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

export interface Section {
  title: string;
  panels: Builder<Panel>[];
}

/**
 * Each section as an open row followed by its panels. Panels handed to RowBuilder.withPanel
 * would sit inside a collapsed row (Grafana only nests the panels of collapsed rows), hidden
 * until clicked; these rows are meant to be read at a glance.
 */
export function withSections(dashboard: DashboardBuilder, sections: Section[]): DashboardBuilder {
  for (const section of sections) {
    dashboard.withRow(new RowBuilder(section.title));
    for (const panel of section.panels) dashboard.withPanel(panel);
  }
  return dashboard;
}

/**
 * A time series half the width, with a table legend of the last and largest values, so that a
 * spike that has passed can still be read off and the worst series found without hovering.
 */
export function timeseries(title: string, description: string, unit: string): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title(title)
    .description(description)
    .unit(unit)
    .min(0)
    .span(12)
    .height(8)
    .fillOpacity(10)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .calcs(['lastNotNull', 'max'])
        .sortBy('Max')
        .sortDesc(true),
    );
}

/**
 * `expr`, or 0 for every series of `baseline` (same labels) that `expr` lacks. A counter filtered
 * to failures has no series until the first failure: without this, a healthy service shows a
 * gap, where the truthful answer is 0.
 */
export function zeroWhereAbsent(expr: string, baseline: string): string {
  return `(${expr} or 0 * ${baseline})`;
}
