// The run at a glance: its phases, each fault from on to off, and the moment each check was
// decided, on one time axis. Plain positioned HTML rather than SVG so the labels wrap.
import type { FaultEvent, RunRecord } from '../run/record.ts';
import { formatDuration, formatOffset, timeTicks } from './format.ts';
import { html, raw, type SafeHtml } from './html.ts';
import { pct, percentOf, type RunWindow } from './run-window.ts';

/** When a fault ended, if it did: a fault without `off` was instantaneous, or still on when an interrupted run stopped. */
export function faultEnd(fault: FaultEvent, record: RunRecord): number | undefined {
  if (fault.off !== undefined) return fault.off;
  return record.verdict === 'interrupted' ? record.endedAt : undefined;
}

function faultTimes(fault: FaultEvent, record: RunRecord): string {
  const on = formatOffset(fault.on - record.startedAt);
  if (fault.off !== undefined) {
    return `on ${on} → off ${formatOffset(fault.off - record.startedAt)} (${formatDuration(fault.off - fault.on)})`;
  }
  return record.verdict === 'interrupted' ? `on ${on}, never turned off` : `at ${on} (instantaneous)`;
}

function axis(window: RunWindow): SafeHtml {
  const ticks = timeTicks(window.from, window.to, window.zero);
  return html`<div class="tl-row tl-axis">
    <div class="tl-label"></div>
    <div class="tl-track">
      ${ticks.map(
        (offset) =>
          html`<span class="tl-tick" style="left:${pct(percentOf(window, window.zero + offset))}"
            >${formatOffset(offset, false)}</span
          >`,
      )}
    </div>
  </div>`;
}

function faultRow(fault: FaultEvent, record: RunRecord, window: RunWindow): SafeHtml {
  const end = faultEnd(fault, record);
  const left = percentOf(window, fault.on);
  const mark =
    end === undefined
      ? html`<div class="tl-instant" style="left:${pct(left)}" title="${fault.label}"></div>`
      : html`<div
          class="tl-fault${fault.off === undefined ? ' tl-fault-open' : ''}"
          style="left:${pct(left)};width:${pct(Math.max(0.3, percentOf(window, end) - left))}"
          title="${fault.label}"
        ></div>`;
  return html`<div class="tl-row" data-fault="${fault.label}">
    <div class="tl-label">
      <span class="tl-name">${fault.label}</span><span class="tl-sub">${faultTimes(fault, record)}</span>${
        fault.error ? html`<span class="tl-error">${fault.error}</span>` : ''
      }
    </div>
    <div class="tl-track">${mark}</div>
  </div>`;
}

export function renderTimeline(record: RunRecord, window: RunWindow): SafeHtml {
  const phases = record.phases.map((entry) => {
    const left = percentOf(window, entry.startedAt);
    const width = percentOf(window, entry.endedAt) - left;
    return html`<div
      class="tl-phase phase-${entry.phase}"
      style="left:${pct(left)};width:${pct(width)}"
      title="${entry.phase}: ${formatOffset(entry.startedAt - record.startedAt)} → ${formatOffset(entry.endedAt - record.startedAt)}"
    >
      <span>${entry.phase} · ${formatDuration(entry.endedAt - entry.startedAt)}</span>
    </div>`;
  });
  const decisions = record.checks.map(
    (check) =>
      html`<span
        class="tl-check status-${check.status}"
        style="left:${pct(percentOf(window, check.decidedAt))}"
        title="${check.name}: ${check.status} at ${formatOffset(check.decidedAt - record.startedAt)}"
      ></span>`,
  );
  return html`<section class="timeline-section">
    <h2>Timeline</h2>
    <div class="timeline">
      ${axis(window)}
      <div class="tl-row">
        <div class="tl-label"><span class="tl-name">Phases</span></div>
        <div class="tl-track">${phases}</div>
      </div>
      ${record.faults.length === 0 ? raw('<div class="tl-row"><div class="tl-label"><span class="tl-sub">No faults recorded.</span></div><div class="tl-track"></div></div>') : record.faults.map((fault) => faultRow(fault, record, window))}
      <div class="tl-row">
        <div class="tl-label">
          <span class="tl-name">Checks decided</span
          ><span class="tl-sub"
            ><i class="dot status-held"></i>held <i class="dot status-failed"></i>failed
            <i class="dot status-interrupted"></i>interrupted</span
          >
        </div>
        <div class="tl-track">${decisions}</div>
      </div>
    </div>
  </section>`;
}
