// Numbers and times as a person reads them in the report: offsets from the run's start
// ("+1:05"), durations ("1m 05s", "12.3 ms"), and axis ticks at round values.

/** `+1:05` (or `1:05` without the sign): minutes and seconds since the run started. */
export function formatOffset(ms: number, sign = true): string {
  if (!Number.isFinite(ms)) return '?';
  const negative = ms < 0;
  const total = Math.round(Math.abs(ms) / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  const body = hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
  return `${negative ? '−' : sign ? '+' : ''}${body}`;
}

/** `850 ms`, `12 s`, `1m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total} s`;
  if (total < 3600) return `${Math.floor(total / 60)}m ${String(total % 60).padStart(2, '0')}s`;
  return `${Math.floor(total / 3600)}h ${String(Math.floor((total % 3600) / 60)).padStart(2, '0')}m`;
}

/** A span's duration: `0.42 ms`, `12.3 ms`, `1.24 s`. */
export function formatMicros(us: number): string {
  if (!Number.isFinite(us)) return '?';
  if (us < 1000) return `${(us / 1000).toFixed(2)} ms`;
  if (us < 1_000_000) return `${trim((us / 1000).toPrecision(3))} ms`;
  return `${trim((us / 1_000_000).toPrecision(3))} s`;
}

/** `2025-12-01 15:51:39 UTC`: a static page cannot know the reader's time zone, so it says which it uses. */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A value for a legend or a card: `0.0333`, `12.5`, `1.5k`, `2.1M`. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trim((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${trim((value / 1e3).toPrecision(3))}k`;
  if (abs >= 1) return trim(value.toFixed(2));
  return trim(value.toPrecision(3));
}

function trim(text: string): string {
  return text.includes('.') && !text.includes('e') ? text.replace(/\.?0+$/, '') : text;
}

/** Round ticks covering [min, max] (1, 2 or 5 times a power of ten apart), and the domain they span. */
export function niceTicks(
  min: number,
  max: number,
  count = 5,
): { ticks: number[]; step: number; lo: number; hi: number } {
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= min === 0 ? 0 : pad;
    max += pad;
  }
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude;
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let tick = lo; tick <= hi + step / 2; tick += step) ticks.push(Number(tick.toPrecision(12)));
  return { ticks, step, lo, hi };
}

/** A tick label with as many decimals as the step needs. */
export function formatTick(value: number, step: number): string {
  if (Math.abs(value) >= 1e4) return formatNumber(value);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(decimals);
}

const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

/** Offsets (ms from `zero`) at round seconds or minutes within [from, to], at most about `count`. */
export function timeTicks(from: number, to: number, zero: number, count = 8): number[] {
  const spanS = Math.max(1, (to - from) / 1000);
  const stepS = TIME_STEPS_S.find((step) => spanS / step <= count) ?? Math.ceil(spanS / count / 3600) * 3600;
  const step = stepS * 1000;
  const ticks: number[] = [];
  for (let offset = Math.ceil((from - zero) / step) * step; zero + offset <= to; offset += step) ticks.push(offset);
  return ticks;
}
