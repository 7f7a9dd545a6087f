// A call through a circuit breaker (bench/apps/breaker-calls.mjs), with and without hopscope's
// breaker telemetry, for each supported library, in alternating rounds.
import { type AppContext, BARE, startApp } from './apps.ts';
import type { RatesResult } from './messaging.ts';
import { ended, nextMessage } from './processes.ts';
import { messageOf } from './stages.ts';

export const BREAKER_LIBRARIES = ['cockatiel', 'opossum'] as const;
const TIMEOUT_MS = 120_000;

const noRates = (name: string): RatesResult => ({ name, rates: [], errors: [] });

export interface BreakerResult {
  library: string;
  off: RatesResult;
  on: RatesResult;
}

export async function measureBreakers(
  context: AppContext,
  rounds: number,
  calls: number,
  progress: (line: string) => void,
): Promise<BreakerResult[]> {
  const results = BREAKER_LIBRARIES.map((library) => ({
    library,
    off: noRates('off'),
    on: noRates('on'),
  }));
  for (let round = 1; round <= rounds; round++) {
    for (const result of results) {
      for (const [telemetry, rates] of [
        ['0', result.off],
        ['1', result.on],
      ] as const) {
        const app = startApp('breaker-calls.mjs', BARE, context, {
          BENCH_LIBRARY: result.library,
          BENCH_TELEMETRY: telemetry,
          BENCH_CALLS: String(calls),
        });
        try {
          const rate = await nextMessage<number>(app, 'callsPerSecond', TIMEOUT_MS);
          await ended(app, 'breaker-calls.mjs');
          rates.rates.push(rate);
        } catch (error) {
          app.process.kill('SIGKILL');
          rates.errors.push(`round ${round}: ${messageOf(error)}`);
          progress(`round ${round}: ${result.library} telemetry ${rates.name}: failed: ${messageOf(error)}`);
        }
      }
      progress(`round ${round}: ${result.library} breaker`);
    }
  }
  return results;
}
