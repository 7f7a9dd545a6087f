// `chaos run <scenario>`: runs it against the live demo, printing each phase and check as it
// happens, then the verdict table; writes the HTML report; exit code 0 only when every check
// held. Ctrl-C ends the run early: every fault it turned on is turned off, and it says so.
import { join } from 'node:path';
import { readDemoEndpoints } from '../demo-endpoints.ts';
import { writeReport } from '../report/write.ts';
import { formatEvent, verdictTable } from '../run/live-output.ts';
import type { RunRecord } from '../run/record.ts';
import { runScenario } from '../run/run-scenario.ts';
import { loadScenarioNamed } from '../scenario/load.ts';
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
  const scenario = loadScenarioNamed(name);
  const endpoints = readDemoEndpoints(options.endpoints);
  const interrupt = new AbortController();
  // Every signal is caught until the run is over: a second Ctrl-C must not end the process
  // while it is turning the faults off.
  const onSignal = () => {
    if (interrupt.signal.aborted) {
      say('still turning the faults off …');
      return;
    }
    say('\ninterrupted: turning off every fault this run turned on …');
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
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
