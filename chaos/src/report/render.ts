// One run as one HTML file a person opens anywhere: no script, no network, no Grafana.
// Sections in the order a reader asks: did it hold, what happened when, which check said
// what, what became of the orders, what the metrics did, what one request looked like.
import type { RunRecord } from '../run/record.ts';
import { renderChecksTable } from './checks-table.ts';
import { html, raw } from './html.ts';
import { renderLineChart } from './line-chart.ts';
import { renderOrders } from './orders.ts';
import type { RunWindow } from './run-window.ts';
import { REPORT_CSS } from './style.ts';
import { renderSummary } from './summary.ts';
import { renderTimeline } from './timeline.ts';
import { renderWaterfall } from './waterfall.ts';

// Belt and braces to the escaping: should a string from the record ever get through as
// markup, the browser still runs no script and fetches nothing.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export function renderReport(record: RunRecord): string {
  const window: RunWindow = {
    from: record.startedAt,
    to: record.endedAt > record.startedAt ? record.endedAt : record.startedAt + 1000,
    zero: record.startedAt,
  };
  const series =
    record.series.length === 0
      ? html`<p class="no-data">No series were recorded.</p>`
      : record.series.map((entry, index) => renderLineChart(entry, index, { record, window }));
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="${CSP}" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${record.scenario.name}: ${record.verdict} · hopscope chaos run</title>
        <style>
          ${raw(REPORT_CSS)}
        </style>
      </head>
      <body>
        <main>
          ${renderSummary(record)} ${renderTimeline(record, window)} ${renderChecksTable(record)}
          ${renderOrders(record.orders)}
          <section class="series">
            <h2>Key series</h2>
            <p class="series-intro">
              From Prometheus over the run. Shaded: the phases. Red bars above each chart: the faults, on to off (dashed
              lines mark the switches).
            </p>
            ${series}
          </section>
          ${renderWaterfall(record.trace, record.links.jaegerSearch)}
          <footer>
            hopscope chaos · scenario <code>${record.scenario.name}</code> · this file needs no network: open it
            anywhere.
          </footer>
        </main>
      </body>
    </html> `;
  return page.value;
}
