// The panel shapes the dashboards share: a time series whose legend is a table of the last and
// largest values (so a spike that has passed can still be read off, and the worst series found
// without hovering), and sections: open rows each followed by their panels.
import { LegendDisplayMode, LegendPlacement, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import { type DashboardBuilder, type Panel, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

export interface PanelText {
  title: string;
  /** What the panel tells the user, and how to read it (Grafana's ⓘ next to the title). */
  description: string;
  /** A Grafana unit id: `reqps`, `mps` (messages/s), `s`, `percentunit`, `bytes`, `short`. */
  unit: string;
  /** Grid columns out of 24. @default 12 */
  span?: number;
}

export function timeseries({ title, description, unit, span = 12 }: PanelText): TimeseriesPanelBuilder {
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
        .calcs(['lastNotNull', 'max'])
        .sortBy('Max')
        .sortDesc(true),
    );
}

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
