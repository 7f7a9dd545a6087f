// A call through a circuit breaker with and without hopscope's breaker telemetry, for each
// supported library. Both variants run in one process (bench/apps/breaker-calls.mjs, alternating
// blocks): in separate processes, JIT and placement differ by more than the telemetry costs.
// One such process per library per round, the libraries alternating.
import { type AppContext, BARE, startApp } from './apps.ts';
import { ended, nextMessage } from './processes.ts';
import { messageOf } from './stages.ts';

export const BREAKER_LIBRARIES = ['cockatiel', 'opossum'] as const;
const TIMEOUT_MS = 120_000;

/** One process's figures: the median µs per call off and on, and the median of their paired difference. */
export interface BreakerSample {
  offMicros: number;
  onMicros: number;
  addedMicros: number;
}

export interface BreakerResult {
  library: string;
  /** One sample per successful round. */
  samples: BreakerSample[];
  errors: string[];
}

export async function measureBreakers(
  context: AppContext,
  rounds: number,
  calls: number,
  progress: (line: string) => void,
): Promise<BreakerResult[]> {
  const results: BreakerResult[] = BREAKER_LIBRARIES.map((library) => ({ library, samples: [], errors: [] }));
  for (let round = 1; round <= rounds; round++) {
    for (const result of results) {
      const app = startApp('breaker-calls.mjs', BARE, context, {
        BENCH_LIBRARY: result.library,
        BENCH_CALLS: String(calls),
      });
      try {
        const sample = await nextMessage<BreakerSample>(app, 'breakerCalls', TIMEOUT_MS);
        await ended(app, 'breaker-calls.mjs');
        result.samples.push(sample);
        progress(`round ${round}: ${result.library} breaker`);
      } catch (error) {
        app.process.kill('SIGKILL');
        result.errors.push(`round ${round}: ${messageOf(error)}`);
        progress(`round ${round}: ${result.library} breaker: failed: ${messageOf(error)}`);
      }
    }
  }
  return results;
}
