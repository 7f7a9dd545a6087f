// The top of the report: what was run, the verdict a reader looks for first, when and at
// which time scale it ran, what to notice, and where to look in Grafana and Jaeger.
import type { RunRecord } from '../run/record.ts';
import { formatClock, formatDuration } from './format.ts';
import { html, httpUrl, type SafeHtml } from './html.ts';

const VERDICT_WORDS: Record<RunRecord['verdict'], string> = {
  held: 'Hypothesis held',
  failed: 'Hypothesis failed',
  interrupted: 'Run interrupted',
};

function verdictDetail(record: RunRecord): string {
  const total = record.checks.length;
  const failed = record.checks.filter((check) => check.status === 'failed').length;
  const interrupted = record.checks.filter((check) => check.status === 'interrupted').length;
  if (record.verdict === 'held') return `All ${total} checks held.`;
  if (record.verdict === 'failed') return `${failed} of ${total} checks failed.`;
  return `The run stopped before every check was decided: ${interrupted} of ${total} checks interrupted.`;
}

function timeScale(scale: number): SafeHtml {
  const note =
    scale === 1
      ? 'durations as the scenario file writes them'
      : `durations ran at ${scale}× what the scenario file writes`;
  return html`${scale}×<span class="meta-note">${note}</span>`;
}

function tagsText(tags: Record<string, string> | undefined): string {
  const entries = Object.entries(tags ?? {});
  return entries.length === 0 ? '' : ` with ${entries.map(([key, value]) => `${key}=${value}`).join(' ')}`;
}

function link(href: string, text: string): SafeHtml {
  const url = httpUrl(href);
  return url ? html`<a href="${url.href}">${text}</a>` : html`<span>${text}</span>`;
}

export function renderSummary(record: RunRecord): SafeHtml {
  const { scenario } = record;
  const verdict = VERDICT_WORDS[record.verdict] ?? `Verdict: ${String(record.verdict)}`;
  const failedNames = record.checks.filter((check) => check.status !== 'held').map((check) => check.name);
  const grafanaIsUrl = httpUrl(record.links.grafanaPanel) !== undefined;
  return html`<header class="summary">
    <p class="eyebrow">Chaos run report · <code>${scenario.name}</code></p>
    <h1>${scenario.title}</h1>
    <section class="verdict verdict-${record.verdict}" data-verdict="${record.verdict}">
      <p class="verdict-word">${verdict}</p>
      <p class="verdict-detail">${verdictDetail(record)}</p>
      ${
        failedNames.length > 0 && record.verdict !== 'held'
          ? html`<ul class="verdict-checks">
              ${failedNames.map((name) => html`<li>${name}</li>`)}
            </ul>`
          : ''
      }
    </section>
    <dl class="meta">
      <div>
        <dt>Started</dt>
        <dd>${formatClock(record.startedAt)}</dd>
      </div>
      <div>
        <dt>Ended</dt>
        <dd>${formatClock(record.endedAt)}</dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd>${formatDuration(record.endedAt - record.startedAt)}</dd>
      </div>
      <div>
        <dt>Time scale</dt>
        <dd>${timeScale(record.timeScale)}</dd>
      </div>
    </dl>
    <section class="notice">
      <h2>What to notice</h2>
      <p>${scenario.notice}</p>
    </section>
    <section class="where">
      <h2>Where to look</h2>
      <ul>
        <li>
          Grafana:
          ${grafanaIsUrl ? link(record.links.grafanaPanel, scenario.reveals.panel) : html`<strong>${scenario.reveals.panel}</strong>`}
        </li>
        <li>
          Jaeger:
          ${link(record.links.jaegerSearch, `traces of ${scenario.reveals.jaeger.service}${tagsText(scenario.reveals.jaeger.tags)}`)}
        </li>
      </ul>
    </section>
  </header>`;
}
