// Runs chaos scenarios against the test's own demo, as `npm run chaos -- run` does, with every
// event printed to the test's output (what a failed CI run is read from).
import { join } from 'node:path';
import { REPO_ROOT } from '../../../stack/paths.ts';
import type { DemoSystem } from '../../../stack/demo/system.ts';
import { formatEvent, verdictTable } from '../../../chaos/src/run/live-output.ts';
import type { RunRecord } from '../../../chaos/src/run/record.ts';
import { type RunOptions, runScenario } from '../../../chaos/src/run/run-scenario.ts';
import { loadScenarioNamed } from '../../../chaos/src/scenario/load.ts';

/** Where the tests put what a person may want to look at afterwards (reports, screenshots). */
export const TEST_OUTPUT_DIR = join(REPO_ROOT, '.test-output', 'chaos');

export function chaosEndpoints(system: DemoSystem): RunOptions['endpoints'] {
  const endpoints = system.endpoints();
  if (!endpoints.chaos) throw new Error('the demo was started without chaos: useDemo({ chaos: true })');
  return endpoints as RunOptions['endpoints'];
}

export async function runNamed(
  system: DemoSystem,
  name: string,
  options: Omit<RunOptions, 'endpoints' | 'onEvent'> = {},
): Promise<RunRecord> {
  const scenario = loadScenarioNamed(name);
  const startedAt = Date.now();
  const tag = `[${name}${options.withoutFaults ? ' without faults' : ''}]`;
  const record = await runScenario(scenario, {
    ...options,
    endpoints: chaosEndpoints(system),
    onEvent: (event) => console.log(`${tag} ${formatEvent(event, startedAt)}`),
  });
  console.log(`${tag}\n${verdictTable(record)}`);
  return record;
}

/** The checks that did not hold, as "phase: name — seen". */
export function failures(record: RunRecord): string[] {
  return record.checks.filter((c) => c.status !== 'held').map((c) => `${c.phase}: ${c.name} — ${c.observed}`);
}
