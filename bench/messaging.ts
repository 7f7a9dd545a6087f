// The RabbitMQ publish → consume loop (bench/apps/amqp-loop.mjs): bare; with the same telemetry
// written by hand for the loop (the floor, bench/apps/amqp-floor.mjs); the floor with its spans
// made by the OpenTelemetry SDK (amqp-floor-sdk.mjs); and with hopscope; all but bare exporting
// to the sink. In alternating rounds: each round runs every variant, in the other order than the
// round before, so that load that rises or falls during the run weighs on all alike.
import { fileURLToPath } from 'node:url';
import { type AppContext, BARE, HOPSCOPE_REGISTER, type Variant, startApp } from './apps.ts';
import { ended, nextMessage } from './processes.ts';
import { messageOf } from './stages.ts';

const preloading = (script: string) => ['--import', fileURLToPath(new URL(`./apps/${script}`, import.meta.url))];
const FLOOR: Variant = { name: 'floor (hand-written)', execArgv: preloading('amqp-floor.mjs'), env: {} };
const SDK_FLOOR: Variant = { name: 'floor on the OTel SDK', execArgv: preloading('amqp-floor-sdk.mjs'), env: {} };
const HOPSCOPE: Variant = { name: 'hopscope', execArgv: HOPSCOPE_REGISTER, env: {} };
const VARIANTS = [
  { id: 'bare', variant: BARE },
  { id: 'floor', variant: FLOOR },
  { id: 'sdk-floor', variant: SDK_FLOOR },
  { id: 'hopscope', variant: HOPSCOPE },
] as const;
const TIMEOUT_MS = 120_000;

export interface RatesResult {
  id: (typeof VARIANTS)[number]['id'];
  name: string;
  /** One rate per successful round. */
  rates: number[];
  /** The CPU time the process spent per message, one per successful round. */
  cpuMicrosPerMessage: number[];
  errors: string[];
}

export async function measureMessaging(
  context: AppContext,
  rounds: number,
  messages: number,
  progress: (line: string) => void,
): Promise<RatesResult[]> {
  const results = VARIANTS.map(({ id, variant }) => ({
    id,
    variant,
    rates: [] as number[],
    cpuMicrosPerMessage: [] as number[],
    errors: [] as string[],
  }));
  for (let round = 1; round <= rounds; round++) {
    for (const result of round % 2 === 1 ? results : results.toReversed()) {
      const app = startApp('amqp-loop.mjs', result.variant, context, { BENCH_MESSAGES: String(messages) });
      try {
        const [rate, cpu] = await Promise.all([
          nextMessage<number>(app, 'messagesPerSecond', TIMEOUT_MS),
          nextMessage<number>(app, 'cpuMicrosPerMessage', TIMEOUT_MS),
        ]);
        await ended(app, 'amqp-loop.mjs');
        result.rates.push(rate);
        result.cpuMicrosPerMessage.push(cpu);
        progress(
          `round ${round}: RabbitMQ ${result.variant.name}: ${rate.toFixed(0)} msg/s, ${cpu.toFixed(0)} µs CPU/msg`,
        );
      } catch (error) {
        app.process.kill('SIGKILL');
        result.errors.push(`round ${round}: ${messageOf(error)}`);
        progress(`round ${round}: RabbitMQ ${result.variant.name}: failed: ${messageOf(error)}`);
      }
    }
  }
  return results.map(({ variant, ...figures }) => ({ name: variant.name, ...figures }));
}
