// What happened to the orders the run placed: how many got in, where they ended, and the
// figures that must be zero whatever the fault (stuck, charged twice, stock off).
import type { OrderFigures } from '../run/record.ts';
import { statusColor } from './colors.ts';
import { html, type SafeHtml } from './html.ts';
import { pct } from './run-window.ts';

function card(label: string, value: number, note: string, mustBeZero = false): SafeHtml {
  const bad = mustBeZero && value !== 0;
  return html`<div
    class="card${bad ? ' card-bad' : ''}${mustBeZero && !bad ? ' card-good' : ''}"
    data-figure="${label}"
  >
    <span class="card-value">${value}</span><span class="card-label">${label}</span
    ><span class="card-note">${note}</span>
  </div>`;
}

export function renderOrders(orders: OrderFigures): SafeHtml {
  const statuses = Object.entries(orders.byStatus).sort(([, a], [, b]) => b - a);
  const total = statuses.reduce((sum, [, count]) => sum + count, 0);
  const refused = orders.placed - orders.accepted;
  const bar =
    total === 0
      ? html`<p class="no-data">No accepted orders.</p>`
      : html`<div class="status-bar">
            ${statuses.map(
              ([status, count]) =>
                html`<span
                  style="width:${pct((count / total) * 100)};background:${statusColor(status)}"
                  title="${status}: ${count}"
                ></span>`,
            )}
          </div>
          <ul class="status-legend">
            ${statuses.map(
              ([status, count]) =>
                html`<li data-status="${status}">
                  <span class="swatch" style="background:${statusColor(status)}"></span>${status}
                  <strong>${count}</strong>
                </li>`,
            )}
          </ul>`;
  return html`<section>
    <h2>Orders</h2>
    <div class="cards">
      ${card('placed', orders.placed, 'at the gateway')}
      ${card('accepted', orders.accepted, refused > 0 ? `${refused} refused at the gateway` : 'none refused')}
      ${card('not terminal', orders.notTerminal, 'accepted, still in flight at the end', true)}
      ${card('duplicate charges', orders.duplicateCharges, 'must be 0', true)}
      ${card('stock discrepancies', orders.stockDiscrepancies, 'must be 0', true)}
    </div>
    <h3>Accepted orders by final status</h3>
    ${bar}
  </section>`;
}
