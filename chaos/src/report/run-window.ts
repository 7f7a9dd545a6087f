// The run's time span as the report's horizontal axis: the timeline and every chart place
// things by their share of it, and label them relative to the run's start.

export interface RunWindow {
  /** Epoch ms at the left edge, at the right edge, and of the run's start (offset 0). */
  from: number;
  to: number;
  zero: number;
}

/** Where `ms` sits across the window, 0–100, clamped (a fault switched on before the run shows at 0). */
export function percentOf(window: RunWindow, ms: number): number {
  const span = window.to - window.from;
  if (!(span > 0) || !Number.isFinite(ms)) return 0;
  return Math.min(100, Math.max(0, ((ms - window.from) / span) * 100));
}

/** A CSS percentage with few digits. */
export function pct(value: number): string {
  return `${Number(value.toFixed(3))}%`;
}
