// One of the scenario's key series over the run, as an inline SVG line chart: a polyline per
// label set, the phases shaded behind, the faults marked above, the time axis relative to
// the run's start. Drawn here rather than by a chart library so the report needs no script.
import type { FaultEvent, RunRecord, SeriesData } from '../run/record.ts';
import { ERROR_COLOR, SERIES_COLORS } from './colors.ts';
import { formatNumber, formatOffset, formatTick, niceTicks, timeTicks } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import type { RunWindow } from './run-window.ts';
import { faultEnd } from './timeline.ts';

const WIDTH = 1120;
const HEIGHT = 230;
const LEFT = 58;
const RIGHT = 14;
const BOTTOM = 24;
const FAULT_ROW = 6;

const PHASE_FILL: Record<string, string> = { before: '#f1f5f9', during: '#fee2e2', after: '#ecfdf5' };

type Line = SeriesData['lines'][number];

/** `{a="1", b="2"}` as Prometheus prints it. */
export function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels).filter(([key]) => key !== '__name__');
  return `{${entries.map(([key, value]) => `${key}="${value}"`).join(', ')}}`;
}

/** The labels that tell the lines apart, so a legend entry reads `state="open"`, not the whole set. */
function legendNames(series: SeriesData): string[] {
  const keys = new Set(series.lines.flatMap((line) => Object.keys(line.labels).filter((key) => key !== '__name__')));
  const varying = [...keys].filter((key) => new Set(series.lines.map((line) => line.labels[key] ?? '')).size > 1);
  return series.lines.map((line) => {
    if (varying.length === 0) return Object.keys(line.labels).length > 0 ? labelText(line.labels) : series.title;
    return varying.map((key) => `${key}="${line.labels[key] ?? ''}"`).join(', ');
  });
}

function finitePoints(line: Line): Array<[number, number]> {
  return line.points.filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v)).sort(([a], [b]) => a - b);
}

export interface ChartContext {
  record: RunRecord;
  window: RunWindow;
}

function faultMarks(
  faults: FaultEvent[],
  record: RunRecord,
  x: (ms: number) => number,
  plotBottom: number,
): SafeHtml[] {
  return faults.map((fault, index) => {
    const y = 16 + index * FAULT_ROW;
    const on = x(fault.on);
    const endMs = faultEnd(fault, record);
    const tip = html`<title>${fault.label}</title>`;
    const guide = (at: number): SafeHtml =>
      html`<line
        x1="${at}"
        x2="${at}"
        y1="${y}"
        y2="${plotBottom}"
        stroke="${ERROR_COLOR}"
        stroke-opacity="0.45"
        stroke-dasharray="3 3"
      />`;
    if (endMs === undefined) {
      return html`<g class="fault-mark"
        >${tip}${guide(on)}<path d="M${on - 4},${y - 2} L${on + 4},${y - 2} L${on},${y + 4} Z" fill="${ERROR_COLOR}"
      /></g>`;
    }
    const off = x(endMs);
    return html`<g class="fault-mark"
      >${tip}<rect
        x="${on}"
        y="${y}"
        width="${Math.max(2, off - on)}"
        height="4"
        rx="1"
        fill="${ERROR_COLOR}"
        fill-opacity="0.8"
      />${guide(on)}${fault.off === undefined ? '' : guide(off)}</g
    >`;
  });
}

export function renderLineChart(series: SeriesData, index: number, context: ChartContext): SafeHtml {
  const { record, window } = context;
  const lines = series.lines.map((line) => ({ line, points: finitePoints(line) }));
  const allPoints = lines.flatMap((entry) => entry.points);
  const caption = html`<figcaption>
    <span class="chart-title">${series.title}</span><code>${series.promql}</code>
  </figcaption>`;
  if (allPoints.length === 0) {
    return html`<figure class="chart chart-empty" data-chart="${index}">
      ${caption}
      <div class="no-data">No data: the query returned no samples over the run.</div>
    </figure>`;
  }

  // Points outside the run (a range query's first step) widen the axis rather than vanish.
  // Loops, not Math.min(...points): a long run at a short step has more points than a call takes arguments.
  let [from, to, min, max] = [window.from, window.to, Infinity, -Infinity];
  for (const [t, v] of allPoints) {
    from = Math.min(from, t * 1000);
    to = Math.max(to, t * 1000);
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const y = niceTicks(min >= 0 ? 0 : min, max);

  // Above the plot, out of the lines' way: the phase names, then one strip per fault.
  const plotTop = 16 + record.faults.length * FAULT_ROW + 6;
  const plotBottom = HEIGHT - BOTTOM;
  const plotRight = WIDTH - RIGHT;
  const x = (ms: number): number => Number((LEFT + ((ms - from) / (to - from || 1)) * (plotRight - LEFT)).toFixed(1));
  const yPos = (value: number): number =>
    Number((plotBottom - ((value - y.lo) / (y.hi - y.lo || 1)) * (plotBottom - plotTop)).toFixed(1));

  const phases = record.phases.map(
    (entry) =>
      html`<rect
          class="phase-shade"
          x="${x(entry.startedAt)}"
          y="${plotTop}"
          width="${Math.max(0, x(entry.endedAt) - x(entry.startedAt))}"
          height="${plotBottom - plotTop}"
          fill="${PHASE_FILL[entry.phase] ?? '#f8fafc'}"
        /><text class="phase-label" x="${x(entry.startedAt) + 2}" y="10">${entry.phase}</text>`,
  );
  const yAxis = y.ticks.map(
    (tick) =>
      html`<line x1="${LEFT}" x2="${plotRight}" y1="${yPos(tick)}" y2="${yPos(tick)}" class="grid" /><text
          class="y-tick"
          x="${LEFT - 6}"
          y="${yPos(tick) + 4}"
          >${formatTick(tick, y.step)}</text
        >`,
  );
  const xAxis = timeTicks(from, to, record.startedAt).map(
    (offset) =>
      html`<line
          x1="${x(record.startedAt + offset)}"
          x2="${x(record.startedAt + offset)}"
          y1="${plotBottom}"
          y2="${plotBottom + 4}"
          class="axis"
        /><text class="x-tick" x="${x(record.startedAt + offset)}" y="${plotBottom + 16}"
          >${formatOffset(offset, false)}</text
        >`,
  );
  const names = legendNames(series);
  const polylines = lines.map(({ line, points }, lineIndex) => {
    if (points.length === 0) return '';
    const color = SERIES_COLORS[lineIndex % SERIES_COLORS.length];
    // Past the palette, lines repeat a colour dashed.
    const dash = lineIndex >= SERIES_COLORS.length ? '6 3' : 'none';
    const coords = points.map(([t, v]) => `${x(t * 1000)},${yPos(v)}`).join(' ');
    return html`<polyline
      class="series-line"
      data-line="${lineIndex}"
      points="${coords}"
      fill="none"
      stroke="${color}"
      stroke-width="1.8"
      stroke-linejoin="round"
      stroke-dasharray="${dash}"
      ><title>${labelText(line.labels)}</title></polyline
    >`;
  });
  const legend = lines.map(({ line, points }, lineIndex) => {
    const color = SERIES_COLORS[lineIndex % SERIES_COLORS.length];
    const last = points.at(-1);
    return html`<li title="${labelText(line.labels)}">
      <span class="swatch" style="background:${color}"></span><span class="legend-name">${names[lineIndex]}</span
      ><span class="legend-value">${last ? `last ${formatNumber(last[1])}` : 'no data'}</span>
    </li>`;
  });

  return html`<figure class="chart" data-chart="${index}">
    ${caption}
    <svg class="chart-svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="${series.title}">
      ${phases} ${yAxis}
      <line x1="${LEFT}" x2="${plotRight}" y1="${plotBottom}" y2="${plotBottom}" class="axis" />
      ${xAxis} ${faultMarks(record.faults, record, x, plotBottom)} ${polylines}
    </svg>
    <ul class="legend">
      ${legend}
    </ul>
  </figure>`;
}
