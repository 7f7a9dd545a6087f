// `chaos run <scenario>`: runs it against the live demo, printing each phase and check as it
// happens, then the verdict table; writes the HTML report; exit code 0 only when every check
// held. Ctrl-C ends the run early: every fault it turned on is turned off, and it says so.
import { join } from 'node:path';
import { readDemoEndpoints } from '../demo-endpoints.ts';
import { writeReport } from '../report/write.ts';
import { formatEvent, verdictTable } from '../run/live-output.ts';
import type { RunRecord } from '../run/record.ts';
import { runScenario } from '../run/run-scenario.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { SCENARIOS_DIR } from '../scenario/scenarios-dir.ts';

export interface RunCommandOptions {
  timeScale: number;
  withoutFaults: boolean;
  failFast: boolean;
  reportDir: string;
  endpoints?: string;
}

export const DEFAULT_REPORT_DIR = join(SCENARIOS_DIR, '..', '.demo', 'chaos-reports');

export async function runCommand(name: string, options: RunCommandOptions, say = console.log): Promise<RunRecord> {
  const scenario = loadScenarioFile(join(SCENARIOS_DIR, `${name}.yaml`));
  const endpoints = readDemoEndpoints(options.endpoints);
  const interrupt = new AbortController();
  const onSignal = () => {
    say('\ninterrupted: turning off every fault this run turned on …');
    interrupt.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const startedAt = Date.now();
  say(`${scenario.name}: ${scenario.title}${options.withoutFaults ? ' (without its faults)' : ''}`);
  try {
    const record = await runScenario(scenario, {
      endpoints,
      timeScale: options.timeScale,
      withoutFaults: options.withoutFaults,
      failFast: options.failFast,
      signal: interrupt.signal,
      onEvent: (event) => say(formatEvent(event, startedAt)),
    });
    say(`\n${verdictTable(record)}`);
    say(`report: ${writeReport(record, options.reportDir)}`);
    return record;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
