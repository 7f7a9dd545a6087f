// What `npm run chaos -- run` prints while a scenario runs, and the verdict table at its end:
// each phase as it starts, each fault as it goes on and off, each check as it starts waiting
// and as it is decided, with what was seen.
import type { RunEvent } from './run-scenario.ts';
import type { RunRecord } from './record.ts';

const MARK = { held: '✔', failed: '✖', interrupted: '◌' } as const;

export function formatEvent(event: RunEvent, startedAt: number): string {
  const t = (at: number) => `+${((at - startedAt) / 1000).toFixed(1).padStart(5)}s`;
  switch (event.type) {
    case 'phase':
      return `${t(event.at)} ▶ ${event.phase}`;
    case 'fault': {
      const verb = event.state === 'on' ? '⚡ on ' : event.state === 'off' ? '⏹ off' : '· skip';
      const at = event.state === 'off' ? (event.event.off ?? Date.now()) : event.event.on;
      return `${t(at)}   ${verb} ${event.event.label}${event.detail ? ` — ${event.detail}` : ''}`;
    }
    case 'check-start': {
      const limit = event.within === 'throughout' ? 'throughout the phase' : `within ${event.within / 1000}s`;
      return `${t(Date.now())}   … ${event.name} (${limit})`;
    }
    case 'check':
      return `${t(event.result.decidedAt)}   ${MARK[event.result.status]} ${event.result.name} — ${event.result.observed}`;
    case 'note':
      return `${t(Date.now())}   ${event.text}`;
  }
}

/** The verdict: one row per check, then the order figures and the overall result. */
export function verdictTable(record: RunRecord): string {
  const rows = record.checks
    .slice()
    .sort((a, b) => phaseOrder(a.phase) - phaseOrder(b.phase) || a.startedAt - b.startedAt)
    .map((c) => [
      c.phase,
      `${MARK[c.status]} ${c.status}`,
      c.name,
      `${((c.decidedAt - c.startedAt) / 1000).toFixed(1)}s`,
      c.observed,
    ]);
  const header = ['phase', 'result', 'check', 'took', 'seen'];
  const widths = header.map((h, i) => Math.min(i === 4 ? 60 : 70, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => clip(cell, widths[i]).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const o = record.orders;
  const statuses = Object.entries(o.byStatus)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  return [
    line(header),
    line(widths.map((w) => '─'.repeat(w))),
    ...rows.map(line),
    '',
    `orders: ${o.placed} placed, ${o.accepted} accepted (${statuses || 'none'}), ${o.notTerminal} not terminal; ` +
      `duplicate charges ${o.duplicateCharges}, stock discrepancies ${o.stockDiscrepancies}`,
    `look at: ${record.links.grafanaPanel} · ${record.links.jaegerSearch}`,
    `verdict: ${record.scenario.name} ${record.verdict === 'held' ? 'HELD — the hypothesis held' : record.verdict === 'failed' ? 'FAILED — see ✖ above' : 'INTERRUPTED'}`,
  ].join('\n');
}

function phaseOrder(phase: string): number {
  return ['before', 'during', 'after'].indexOf(phase);
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
