// npm run chaos -- <command>: the demo's chaos scenarios from the command line. It finds the
// running demo through .demo/endpoints.json (written by `npm run demo` / `demo:up`).
//   list                         the scenarios
//   describe <scenario>          what it breaks, what to notice, its hypothesis
//   run <scenario>               run it, check its hypothesis live, print a verdict, write a report
//   knobs                        every fault knob and its settings
//   on <target> <fault> [value]  turn a knob on by hand;   off [target]  turn knobs off
//   schedule --seed N            random scenarios on and off, unattended and reproducible
//   readme                       rewrite chaos/README.md from the scenario files
import { Command, InvalidArgumentError } from 'commander';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeScenario } from './commands/describe.ts';
import { knobsTable } from './commands/knobs.ts';
import { listScenarios } from './commands/list.ts';
import { turnOff, turnOn } from './commands/on-off.ts';
import { DEFAULT_REPORT_DIR, runCommand } from './commands/run.ts';
import { schedule } from './commands/schedule.ts';
import { readDemoEndpoints } from './demo-endpoints.ts';
import { formattedReadme } from './readme.ts';
import { loadScenarioNamed, loadScenarios } from './scenario/load.ts';
import { duration } from './scenario/schema.ts';
import { SCENARIOS_DIR } from './scenario/scenarios-dir.ts';

const number = (min: number, max: number, integer: boolean) => (raw: string) => {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new InvalidArgumentError(`${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
};
const durationMs = (raw: string) => {
  const parsed = duration.safeParse(raw);
  if (!parsed.success) throw new InvalidArgumentError('a duration such as 30s or 2m');
  return parsed.data;
};

const program = new Command('chaos')
  .description("the demo's chaos scenarios, each with a steady-state hypothesis checked against the real telemetry")
  .option('--endpoints <file>', 'the running demo (default: .demo/endpoints.json)')
  .showHelpAfterError();

program
  .command('list')
  .description('the scenarios')
  .action(() => console.log(listScenarios(loadScenarios(SCENARIOS_DIR))));

program
  .command('describe <scenario>')
  .description('what a scenario breaks, what to notice, where to look and its hypothesis')
  .action((name: string) => console.log(describeScenario(loadScenarioNamed(name))));

program
  .command('run <scenario>')
  .description('run a scenario against the running demo; exit code 0 only when every check held')
  .option(
    '--time-scale <factor>',
    "shorten the faults' durations, e.g. 0.5 (never a check's deadline)",
    number(0.05, 1, false),
    1,
  )
  .option('--without-faults', 'everything but the faults: the checks that depend on them must fail', false)
  .option('--fail-fast', 'stop at the first failed check', false)
  .option('--report-dir <dir>', 'where the HTML report goes', DEFAULT_REPORT_DIR)
  .action(
    async (
      name: string,
      options: { timeScale: number; withoutFaults: boolean; failFast: boolean; reportDir: string },
    ) => {
      const record = await runCommand(name, {
        ...options,
        endpoints: program.opts<{ endpoints?: string }>().endpoints,
      });
      process.exitCode = record.verdict === 'held' ? 0 : 1;
    },
  );

program
  .command('knobs')
  .description("every service's fault knobs and their settings")
  .action(() => console.log(knobsTable()));

program
  .command('on <target> <fault> [value]')
  .description(
    'turn a knob on: <service> <knob> [value], broker down, collector down, <service> database.slow <ms>, <service> database.down, <service> kill',
  )
  .action(async (target: string, fault: string, value: string | undefined) => {
    console.log(await turnOn(endpoints(), target, fault, value));
  });

program
  .command('off [target]')
  .description("turn knobs off: every one, or one service's (or broker, collector)")
  .action(async (target: string | undefined) => {
    console.log(await turnOff(endpoints(), target));
  });

program
  .command('schedule')
  .description('turn random scenarios on and off unattended, reproducibly from the seed (no checks)')
  .requiredOption('--seed <n>', 'the seed: the same seed, the same sequence', number(0, 2 ** 32 - 1, true))
  .option('--interval <duration>', 'how often one more scenario may start', durationMs, 120_000)
  .option('--max-concurrent <n>', 'how many at once at most', number(1, 5, true), 1)
  .option('--for <duration>', 'stop after this long (default: until Ctrl-C)', durationMs)
  .action(async (options: { seed: number; interval: number; maxConcurrent: number; for?: number }) => {
    const interrupt = new AbortController();
    // Caught until the schedule is over: a second Ctrl-C must not end it while it turns faults off.
    const stop = () => {
      if (interrupt.signal.aborted) console.log('still turning the faults off …');
      interrupt.abort();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    await schedule(loadScenarios(SCENARIOS_DIR), endpoints(), {
      seed: options.seed,
      intervalMs: options.interval,
      maxConcurrent: options.maxConcurrent,
      ...(options.for !== undefined ? { forMs: options.for } : {}),
      signal: interrupt.signal,
      say: (line) => console.log(line),
    });
  });

program
  .command('readme')
  .description('rewrite chaos/README.md from the scenario files')
  .action(async () => {
    const file = join(SCENARIOS_DIR, 'README.md');
    writeFileSync(file, await formattedReadme(loadScenarios(SCENARIOS_DIR), file));
    console.log(`wrote ${file}`);
  });

function endpoints() {
  return readDemoEndpoints(program.opts<{ endpoints?: string }>().endpoints);
}

try {
  await program.parseAsync();
} catch (error) {
  // Our own errors carry a code and a message meant for the person; print that, not a stack.
  const code = (error as { code?: unknown }).code;
  console.error(`chaos: ${(error as Error).message}`);
  process.exitCode = typeof code === 'string' && code.startsWith('CHAOS_') ? 2 : 1;
}
