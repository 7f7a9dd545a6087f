// The hypothesis, check by check, grouped by phase: what was asked (the query as run), what
// was seen, and when it was decided, with the trace a Jaeger or LogQL check found.
import type { CheckResult, RunRecord } from '../run/record.ts';
import { PHASES } from '../scenario/schema.ts';
import { formatDuration, formatOffset } from './format.ts';
import { html, raw, type SafeHtml } from './html.ts';
import { jaegerTraceUrl } from './jaeger-links.ts';

function traceCell(check: CheckResult, jaegerSearch: string): SafeHtml | string {
  if (!check.traceId) return '';
  const href = jaegerTraceUrl(jaegerSearch, check.traceId);
  const short = check.traceId.length > 10 ? `${check.traceId.slice(0, 8)}…` : check.traceId;
  return href
    ? html`<a class="trace-link" href="${href}" title="${check.traceId}">${short}</a>`
    : html`<code title="${check.traceId}">${short}</code>`;
}

/** The query with a line-break opportunity after each `,` `{` `(` `|`, so long PromQL wraps at its joints. */
function breakable(query: string): SafeHtml[] {
  return query.split(/(?<=[,{(|])/).map((part, index) => (index === 0 ? html`${part}` : html`${raw('<wbr>')}${part}`));
}

function checkRow(check: CheckResult, record: RunRecord): SafeHtml {
  return html`<tr class="check check-${check.status}" data-check="${check.name}">
    <td class="check-name">${check.name}<span class="kind">${check.kind}</span></td>
    <td class="check-query"><code>${breakable(check.query)}</code></td>
    <td><span class="status status-${check.status}">${check.status}</span></td>
    <td class="check-observed">${check.observed}</td>
    <td class="check-when">
      <span title="decided at ${formatOffset(check.decidedAt - record.startedAt)} from the run's start"
        >${formatOffset(check.decidedAt - record.startedAt)}</span
      ><span class="sub">after ${formatDuration(check.decidedAt - check.startedAt)}</span>
    </td>
    <td>${traceCell(check, record.links.jaegerSearch)}</td>
  </tr>`;
}

export function renderChecksTable(record: RunRecord): SafeHtml {
  if (record.checks.length === 0) {
    return html`<section>
      <h2>Hypothesis checks</h2>
      <p class="no-data">No checks were recorded.</p>
    </section>`;
  }
  const groups = PHASES.map((phase) => {
    const checks = record.checks.filter((check) => check.phase === phase);
    if (checks.length === 0) return '';
    const span = record.phases.find((entry) => entry.phase === phase);
    const when = span
      ? ` · ${formatOffset(span.startedAt - record.startedAt, false)}–${formatOffset(span.endedAt - record.startedAt, false)}`
      : '';
    const held = checks.filter((check) => check.status === 'held').length;
    return html`<tbody>
      <tr class="phase-row phase-${phase}">
        <th colspan="6">${phase}${when}<span class="sub">${held} of ${checks.length} held</span></th>
      </tr>
      ${checks.map((check) => checkRow(check, record))}
    </tbody>`;
  });
  return html`<section>
    <h2>Hypothesis checks</h2>
    <table class="checks">
      <colgroup>
        <col class="c-name" />
        <col class="c-query" />
        <col class="c-status" />
        <col class="c-observed" />
        <col class="c-when" />
        <col class="c-trace" />
      </colgroup>
      <thead>
        <tr>
          <th>Check</th>
          <th>Query</th>
          <th>Status</th>
          <th>Observed</th>
          <th>Decided</th>
          <th>Trace</th>
        </tr>
      </thead>
      ${groups}
    </table>
  </section>`;
}
