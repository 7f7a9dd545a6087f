// The drop-in entry: `node --import @hopscope/instrumentation/register app.js`.
// Worker threads inherit --import (pino transports run in one): telemetry belongs to the
// main thread only, so a worker gets nothing. Nothing here may throw into the application.
import { isMainThread } from 'node:worker_threads';
import { registerLoaderHook } from './loader-hook.ts';
import { flushOnExit } from './exit.ts';
import { start } from './start.ts';

if (isMainThread) {
  try {
    await registerLoaderHook();
  } catch (error) {
    process.stderr.write(
      `hopscope: ESM loader hook not registered, ESM imports are not instrumented: ${String(error)}\n`,
    );
  }
  start();
  flushOnExit();
}
