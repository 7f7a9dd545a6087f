import type { Scenario } from '../scenario/schema.ts';

/** `chaos list`: one line per scenario. */
export function listScenarios(scenarios: Scenario[]): string {
  const width = Math.max(...scenarios.map((s) => s.name.length));
  return scenarios.map((s) => `${s.name.padEnd(width)}  ${s.title}`).join('\n');
}
