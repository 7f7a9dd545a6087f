// The example trace as Jaeger draws it: one row per span, nested under its parent, a bar from
// its start for its duration relative to the trace's start, errors in red. A reader sees the
// hops the fault touched without opening Jaeger.
import type { TraceData, TraceSpan } from '../run/record.ts';
import { colorIndex } from './colors.ts';
import { formatMicros, formatTick, niceTicks } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { jaegerTraceUrl } from './jaeger-links.ts';
import { pct } from './run-window.ts';

const MAX_INDENT = 12;

/** Spans depth-first, children by start time; a span whose parent is not in the trace is a root. */
export function orderSpans(spans: TraceSpan[]): Array<{ span: TraceSpan; depth: number }> {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string | undefined, TraceSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanId !== undefined && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  for (const list of children.values()) list.sort((a, b) => a.startUs - b.startUs);
  const ordered: Array<{ span: TraceSpan; depth: number }> = [];
  const visited = new Set<TraceSpan>();
  const visit = (span: TraceSpan, depth: number): void => {
    if (visited.has(span)) return;
    visited.add(span);
    ordered.push({ span, depth });
    for (const child of children.get(span.spanId) ?? []) visit(child, depth + 1);
  };
  for (const root of children.get(undefined) ?? []) visit(root, 0);
  // Spans in a parent cycle (a broken trace) are reached from no root; show them rather than drop them.
  for (const span of spans) visit(span, 0);
  return ordered;
}

/** Ticks at round times (0, 20 ms, 40 ms…) that fit inside the trace. */
function axis(totalUs: number): SafeHtml {
  const inSeconds = totalUs >= 2_000_000;
  const unit = inSeconds ? 1_000_000 : 1000;
  const { ticks, step } = niceTicks(0, totalUs / unit, 6);
  return html`<div class="wf-row wf-axis">
    <div class="wf-label"></div>
    <div class="wf-track">
      ${ticks
        .filter((tick) => tick * unit <= totalUs)
        .map(
          (tick) =>
            html`<span class="wf-tick" style="left:${pct(((tick * unit) / totalUs) * 100)}"
              >${formatTick(tick, step)} ${inSeconds ? 's' : 'ms'}</span
            >`,
        )}
    </div>
    <div class="wf-duration"></div>
  </div>`;
}

export function renderWaterfall(trace: TraceData | undefined, jaegerSearch: string): SafeHtml {
  if (!trace || trace.spans.length === 0) {
    return html`<section>
      <h2>Example trace</h2>
      <p class="no-data">No example trace was recorded.</p>
    </section>`;
  }
  let [start, end] = [Infinity, -Infinity];
  for (const span of trace.spans) {
    start = Math.min(start, span.startUs);
    end = Math.max(end, span.startUs + span.durationUs);
  }
  const total = Math.max(1, end - start);
  const color = colorIndex();
  const services = [...new Set(trace.spans.map((span) => span.service))];
  const errors = trace.spans.filter((span) => span.error).length;
  const href = jaegerTraceUrl(jaegerSearch, trace.traceId);

  const rows = orderSpans(trace.spans).map(({ span, depth }) => {
    const left = Math.min(99.75, ((span.startUs - start) / total) * 100);
    // Even a span of a few microseconds gets a visible sliver; errors take the red of the stylesheet.
    const width = Math.min(100 - left, Math.max(0.25, (span.durationUs / total) * 100));
    const barStyle = `left:${pct(left)};width:${pct(width)}${span.error ? '' : `;background:${color(span.service)}`}`;
    return html`<div class="wf-row${span.error ? ' span-error' : ''}" data-span-id="${span.spanId}">
      <div
        class="wf-label"
        style="padding-left:${Math.min(depth, MAX_INDENT) * 14 + 4}px"
        title="${span.service} ${span.operation}"
      >
        <span class="wf-service" style="color:${color(span.service)}">${span.service}</span>
        ${span.error ? html`<span class="error-badge">error</span> ` : ''}<span class="wf-op">${span.operation}</span>
      </div>
      <div class="wf-track">
        <span
          class="span-bar"
          style="${barStyle}"
          title="${span.service} ${span.operation}: ${formatMicros(span.durationUs)}"
        ></span>
      </div>
      <div class="wf-duration">${formatMicros(span.durationUs)}</div>
    </div>`;
  });

  return html`<section>
    <h2>Example trace</h2>
    <p class="wf-summary">
      ${href ? html`<a href="${href}"><code>${trace.traceId}</code></a>` : html`<code>${trace.traceId}</code>`} ·
      ${trace.spans.length} spans · ${services.length} services ·
      ${formatMicros(total)}${errors > 0 ? html` · <span class="error-text">${errors} error ${errors === 1 ? 'span' : 'spans'}</span>` : ''}
    </p>
    <div class="waterfall">${axis(total)} ${rows}</div>
  </section>`;
}
