// The figures reported for a set of rounds: the median, and how far the rounds spread.

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface Spread {
  min: number;
  max: number;
  /** (max − min) / median, in percent. */
  percent: number;
}

export function spread(values: number[]): Spread {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { min, max, percent: (100 * (max - min)) / median(values) };
}
