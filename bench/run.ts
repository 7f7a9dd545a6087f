// `npm run bench`: what the instrumentation costs, measured side by side in one run, and the
// targets of issue 11 computed from it. Not a test: figures depend on the machine and its load.
//   1. an express JSON endpoint with one log line per request, in stages: bare; hopscope spans
//      only (exporters off, plain pino logger); + the package logger (createLogger); + trace
//      export; + log export (= full); the floor (the same telemetry written by hand for this one
//      endpoint, no package: what the targets can reach on this machine); and the OpenTelemetry
//      zero-code peer (full). 100% sampled,
//      exporting over OTLP to a local sink. The service is pinned to one core, the load
//      generator (autocannon) and the sink to another (taskset); rounds alternate between the
//      stages; each figure is the median of the rounds, with the spread of req/s;
//   2. a RabbitMQ publish → consume loop: bare, its floors (hand-written, and on the OpenTelemetry
//      SDK: bench/messaging.ts) and hopscope;
//   3. a call through a circuit breaker (cockatiel, opossum), breaker telemetry on vs off, side
//      by side in one process per library per round.
// Environment (defaults in brackets; the default run takes about 9 minutes on 2 cores):
//   BENCH_ROUNDS [3]            rounds of every variant, alternating
//   BENCH_SECONDS [5]           measured load per variant per round
//   BENCH_WARMUP_SECONDS [2]    load before the measured load, same process
//   BENCH_CONNECTIONS [50]      autocannon connections
//   BENCH_SOAK_SECONDS [20]     sustained load for "RSS after load" (the target is for 60; 0 skips)
//   BENCH_SERVER_CPU [0], BENCH_LOAD_CPU [1]   cores for the service, and the load + sink
//   BENCH_MESSAGES [20000]      messages per RabbitMQ run
//   BENCH_CALLS [200000]        calls per breaker variant per process (blocks of 2000)
//   AMQP_URL                    the broker (see instrumentation/test/helpers/test-services.ts)
// Progress goes to stderr, the tables to stdout.
import { fileURLToPath } from 'node:url';
import type { AppContext } from './apps.ts';
import { measureBreakers } from './breakers.ts';
import { measureMessaging } from './messaging.ts';
import { type Child, checkPinning, nextMessage, startNode, stop } from './processes.ts';
import { renderBreakers, renderMessaging, renderStages } from './report.ts';
import { readSettings } from './settings.ts';
import { measureStages } from './stages.ts';
import { renderTargets } from './targets.ts';

const SINK = fileURLToPath(new URL('./otlp-sink.mjs', import.meta.url));

async function main(): Promise<void> {
  const settings = readSettings();
  const { unpinnedBecause } = checkPinning([settings.serverCpu, settings.loadCpu]);
  const serverCpu = unpinnedBecause ? undefined : settings.serverCpu;
  const loadCpu = unpinnedBecause ? undefined : settings.loadCpu;
  const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
  if (unpinnedBecause) progress(`processes not pinned to cores: ${unpinnedBecause}`);

  const sink: Child = startNode({ cpu: loadCpu, args: [SINK], ipc: true });
  try {
    const sinkUrl = `http://127.0.0.1:${await nextMessage<number>(sink, 'listening', 10_000)}`;
    const context: AppContext = { sinkUrl, cpu: serverCpu };
    const sinkRequests = async () => {
      const answer = nextMessage<Record<string, number>>(sink, 'requests', 10_000);
      sink.process.send('requests');
      return answer;
    };
    const stages = await measureStages({ context, loadCpu, settings, sinkRequests, progress });
    const messaging = await measureMessaging(context, settings.rounds, settings.messages, progress);
    const breakers = await measureBreakers(context, settings.rounds, settings.calls, progress);

    const pinning = unpinnedBecause
      ? `not pinned: ${unpinnedBecause}`
      : `service on core ${settings.serverCpu}, load generator and sink on core ${settings.loadCpu}`;
    console.log(
      [
        '',
        'express JSON endpoint, one log line per request, 100% sampled, OTLP to a local sink',
        `  ${pinning}; ${settings.connections} connections`,
        `  median of ${settings.rounds} alternating rounds, each a fresh process: start → first whole response,`,
        `  ${settings.fixedRequests} requests, ${settings.warmupSeconds} s warm-up, ${settings.seconds} s measured; spread of req/s across rounds`,
        settings.soakSeconds > 0
          ? `  RSS after load: one more process per stage under ${settings.soakSeconds} s of load`
          : '  RSS after load: skipped (BENCH_SOAK_SECONDS=0)',
        '  (in brackets: added vs bare)',
        '',
        renderStages(stages, settings),
        '',
        `RabbitMQ publish → consume loop (${settings.messages} messages, publisher confirms; median of ${settings.rounds} rounds)`,
        '',
        renderMessaging(messaging),
        '',
        'A call through a circuit breaker, inside a span: telemetry off and on in one process',
        `  ${settings.calls} calls each in alternating blocks of 2000; median CPU µs per call, added = median`,
        `  of the paired blocks' differences; median of ${settings.rounds} rounds (a process each) and its spread`,
        '',
        renderBreakers(breakers),
        '',
        'Targets (issue 11), from this run',
        '',
        renderTargets({ stages, messaging, breakers, soakSeconds: settings.soakSeconds }),
      ].join('\n'),
    );
  } finally {
    await stop(sink);
  }
}

try {
  await main();
} catch (error) {
  // One line, no stack: the bench's output is a report.
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
