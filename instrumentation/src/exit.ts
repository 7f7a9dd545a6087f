import { shutdown } from './start.ts';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Flushes telemetry when the process is asked to stop, then lets it end exactly as it would
 * have without the package: if the application has its own handler for the signal, that
 * handler decides (it already ran); if not, the signal is raised again with ours removed, so
 * the default action ends the process with the signal's exit status. (The OpenTelemetry
 * zero-code register keeps a listener installed, which keeps an express app alive after
 * SIGTERM until `docker stop` kills it.)
 */
export function flushOnExit(): void {
  for (const signal of SIGNALS) {
    const onSignal = () => {
      void shutdown().finally(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    };
    process.once(signal, onSignal);
  }
  // An application that ends by itself (its event loop empties) gets its last spans and log
  // lines flushed too; `once`, because flushing schedules work that ends in beforeExit again.
  process.once('beforeExit', () => void shutdown());
}
