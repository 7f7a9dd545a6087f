// The report's only stylesheet, inlined: the file must open offline, so no web fonts or
// external sheets — the system's sans-serif, and colours that survive printing in greyscale.

export const REPORT_CSS = `
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --soft: #f8fafc; --red: #dc2626; --green: #059669; --amber: #d97706; }
* { box-sizing: border-box; }
body { margin: 0; background: #f1f5f9; color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 28px 48px; }
section, header.summary { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 18px 22px; margin: 0 0 16px; }
h1 { font-size: 26px; line-height: 1.2; margin: 2px 0 14px; }
h2 { font-size: 16px; margin: 0 0 12px; }
h3 { font-size: 13px; margin: 16px 0 8px; color: var(--muted); font-weight: 600; }
code { font: 12px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; }
a { color: #1d4ed8; }
.eyebrow { margin: 0; color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .04em; }
.eyebrow code { text-transform: none; font-size: 13px; }
.sub { display: block; color: var(--muted); font-size: 12px; font-weight: normal; }
.no-data { color: var(--muted); font-style: italic; background: var(--soft); border: 1px dashed var(--line); border-radius: 6px; padding: 18px; text-align: center; margin: 0; }

header.summary section { border: 0; padding: 0; margin: 14px 0 0; }
.verdict { border-radius: 8px !important; padding: 14px 18px !important; border-left: 8px solid !important; }
.verdict p { margin: 0; }
.verdict-word { font-size: 24px; font-weight: 700; }
.verdict-detail { margin-top: 2px !important; }
.verdict-checks { margin: 6px 0 0; padding-left: 20px; }
.verdict-held { background: #ecfdf5; border-color: var(--green) !important; color: #065f46; }
.verdict-failed { background: #fef2f2; border-color: var(--red) !important; color: #991b1b; }
.verdict-interrupted { background: #fffbeb; border-color: var(--amber) !important; color: #92400e; }
.meta { display: flex; flex-wrap: wrap; gap: 8px 32px; margin: 14px 0 0; }
.meta dt { color: var(--muted); font-size: 12px; }
.meta dd { margin: 0; font-weight: 600; }
.meta-note { font-weight: normal; color: var(--muted); font-size: 12px; margin-left: 6px; }
.notice p { margin: 0; max-width: 80ch; }
.where ul { margin: 0; padding-left: 20px; }
header.summary h2 { font-size: 13px; color: var(--muted); margin-bottom: 4px; }

.timeline { display: grid; gap: 6px; }
.tl-row { display: grid; grid-template-columns: 240px 1fr; gap: 12px; align-items: center; }
.tl-label { font-size: 13px; }
.tl-name { display: block; font-weight: 600; overflow-wrap: anywhere; }
.tl-sub { display: block; color: var(--muted); font-size: 12px; }
.tl-error { display: block; color: var(--red); font-size: 12px; overflow-wrap: anywhere; }
.tl-track { position: relative; height: 26px; background: var(--soft); border-radius: 4px; }
.tl-axis .tl-track { background: none; height: 16px; }
.tl-tick { position: absolute; transform: translateX(-50%); font-size: 11px; color: var(--muted); white-space: nowrap; }
.tl-tick:first-child { transform: none; }
.tl-phase { position: absolute; top: 0; bottom: 0; border-right: 2px solid #fff; display: flex; align-items: center; padding: 0 8px; overflow: hidden; font-size: 12px; font-weight: 600; white-space: nowrap; }
.phase-before { background: #e2e8f0; color: #334155; }
.phase-during { background: #fecaca; color: #7f1d1d; }
.phase-after { background: #bbf7d0; color: #14532d; }
.tl-fault { position: absolute; top: 6px; bottom: 6px; background: var(--red); border-radius: 3px; opacity: .85; }
.tl-fault-open { background: repeating-linear-gradient(45deg, var(--red) 0 6px, #fca5a5 6px 12px); }
.tl-instant { position: absolute; top: 3px; width: 12px; height: 20px; margin-left: -6px; background: var(--red); clip-path: polygon(50% 100%, 0 0, 100% 0); }
.tl-check { position: absolute; top: 8px; width: 10px; height: 10px; margin-left: -5px; border-radius: 50%; border: 1.5px solid #fff; }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin: 0 3px 0 0; }
.dot.status-held, .tl-check.status-held { background: var(--green); }
.dot.status-failed, .tl-check.status-failed { background: var(--red); }
.dot.status-interrupted, .tl-check.status-interrupted { background: var(--amber); }

table.checks { width: 100%; border-collapse: collapse; table-layout: fixed; }
.checks col.c-name { width: 24%; } .checks col.c-query { width: 30%; } .checks col.c-status { width: 92px; }
.checks col.c-observed { width: 20%; } .checks col.c-when { width: 100px; } .checks col.c-trace { width: 96px; }
.checks th, .checks td { text-align: left; vertical-align: top; padding: 7px 8px; border-bottom: 1px solid var(--line); }
.checks thead th { font-size: 12px; color: var(--muted); font-weight: 600; border-bottom: 2px solid var(--line); }
.checks td { overflow-wrap: anywhere; }
.checks .phase-row th { background: var(--soft); text-transform: capitalize; font-size: 13px; padding-top: 10px; }
.checks .phase-row .sub { display: inline; margin-left: 10px; text-transform: none; }
.check-failed td { background: #fef2f2; }
.check-interrupted td { background: #fffbeb; }
.check-name .kind { display: block; color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .04em; margin-top: 2px; }
.check-query code { white-space: pre-wrap; overflow-wrap: anywhere; color: #334155; }
.check-observed { font-size: 13px; }
.trace-link { white-space: nowrap; }
.status { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 700; color: #fff; }
.status-held { background: var(--green); }
.status-failed { background: var(--red); }
.status-interrupted { background: var(--amber); }

.cards { display: grid; grid-template-columns: repeat(5, 1fr); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; background: var(--soft); }
.card-value { display: block; font-size: 26px; font-weight: 700; line-height: 1.1; }
.card-label { display: block; font-weight: 600; }
.card-note { display: block; color: var(--muted); font-size: 12px; }
.card-good { border-color: #a7f3d0; background: #ecfdf5; }
.card-bad { border-color: #fca5a5; background: #fef2f2; }
.card-bad .card-value { color: var(--red); }
.status-bar { display: flex; height: 18px; border-radius: 4px; overflow: hidden; background: var(--line); }
.status-bar span { display: block; height: 100%; border-right: 1px solid #fff; }
.status-legend, .legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; margin: 8px 0 0; font-size: 12px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -2px; }

.series-intro { color: var(--muted); margin: -6px 0 10px; font-size: 13px; }
.chart { margin: 0 0 22px; }
.chart:last-child { margin-bottom: 0; }
.chart figcaption { margin-bottom: 4px; }
.chart-title { font-weight: 600; margin-right: 10px; }
.chart figcaption code { color: var(--muted); overflow-wrap: anywhere; }
.chart-svg { display: block; overflow: visible; }
.chart-svg text { font-size: 11px; fill: var(--muted); font-family: inherit; }
.chart-svg .y-tick { text-anchor: end; }
.chart-svg .x-tick { text-anchor: middle; }
.chart-svg .phase-label { font-size: 10px; text-transform: uppercase; letter-spacing: .05em; fill: #94a3b8; }
.chart-svg .grid { stroke: #e2e8f0; stroke-width: 1; }
.chart-svg .axis { stroke: #94a3b8; stroke-width: 1; }
.legend-name { font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
.legend-value { color: var(--muted); margin-left: 6px; }

.wf-summary { margin: -4px 0 10px; color: var(--muted); }
.error-text { color: var(--red); font-weight: 600; }
.waterfall { border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.wf-row { display: grid; grid-template-columns: 360px 1fr 80px; align-items: center; border-bottom: 1px solid #f1f5f9; min-height: 24px; }
.wf-row:last-child { border-bottom: 0; }
.wf-axis { background: var(--soft); border-bottom: 1px solid var(--line); min-height: 22px; }
.wf-label { font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding-right: 8px; }
.wf-service { font-weight: 700; }
.wf-op { color: #334155; }
.wf-track { position: relative; height: 24px; margin: 0 12px 0 4px; border-left: 1px solid var(--line); }
.wf-axis .wf-track { height: 22px; }
.wf-tick { position: absolute; top: 4px; transform: translateX(-50%); font-size: 11px; color: var(--muted); white-space: nowrap; }
.wf-tick:first-child { transform: none; padding-left: 3px; }
.span-bar { position: absolute; top: 6px; height: 12px; border-radius: 2px; min-width: 2px; }
.wf-duration { font-size: 12px; color: var(--muted); text-align: right; padding-right: 10px; font-variant-numeric: tabular-nums; }
.span-error { background: #fef2f2; }
.span-error .span-bar { background: var(--red); }
.span-error .wf-op, .span-error .wf-duration { color: var(--red); }
.error-badge { display: inline-block; padding: 0 6px; border-radius: 999px; background: var(--red); color: #fff; font-size: 10px; font-weight: 700; text-transform: uppercase; }
footer { color: var(--muted); font-size: 12px; text-align: center; }

@media print { body { background: #fff; } section, header.summary { break-inside: avoid; } }
@media (max-width: 800px) { .cards { grid-template-columns: repeat(2, 1fr); } .tl-row { grid-template-columns: 1fr; } .wf-row { grid-template-columns: 200px 1fr 64px; } }
`;
