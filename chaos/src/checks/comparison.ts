// The thresholds of PromQL and LogQL checks: "== 1", "> 0", "< 0.05" (the schema's
// `comparison`), parsed once and applied to every value seen.

export type Operator = '==' | '!=' | '>=' | '<=' | '>' | '<';

export interface Comparison {
  operator: Operator;
  threshold: number;
  /** As written, normalised: "< 0.05". */
  text: string;
}

const COMPARISON = /^\s*(==|!=|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$/;

/** Parses a comparison; throws (a programmer's error: the schema admits only valid ones) quoting it otherwise. */
export function parseComparison(text: string): Comparison {
  const match = COMPARISON.exec(text);
  if (!match) throw new Error(`not a comparison: ${JSON.stringify(text)} (expected e.g. "== 1", "> 0", "< 0.05")`);
  const operator = match[1] as Operator;
  const threshold = Number(match[2]);
  return { operator, threshold, text: `${operator} ${match[2]}` };
}

/**
 * Whether `value` satisfies the comparison. NaN satisfies none, `!=` included: a NaN sample is
 * what PromQL gives for 0/0 (an error ratio with no traffic), which is no evidence either way.
 */
export function satisfies(value: number, { operator, threshold }: Comparison): boolean {
  if (Number.isNaN(value)) return false;
  switch (operator) {
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
    case '>=':
      return value >= threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '<':
      return value < threshold;
  }
}

/** Prometheus' sample values are strings: "1", "0.25", "NaN", "+Inf", "-Inf". */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text); // "NaN" → NaN
}

/** A value as a person reads it: at most 6 significant digits, no exponent for usual sizes. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(Number(value.toPrecision(6)));
}
