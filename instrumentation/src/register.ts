// The drop-in entry: `node --import @hopscope/instrumentation/register app.js`.
// Worker threads inherit --import (pino transports run in one): telemetry belongs to the
// main thread only, so a worker gets nothing. Nothing here may throw into the application.
// The SDK is imported only there: a static import would load its few hundred modules into
// every worker too, for nothing, on the cores the application starts on.
import { isMainThread } from 'node:worker_threads';
import { enableModuleCompileCache } from './compile-cache.ts';
import { registerLoaderHook } from './loader-hook.ts';

if (isMainThread) {
  // Before the SDK's import, the costliest part of startup.
  enableModuleCompileCache();
  const { start } = await import('./start.ts');
  const { flushOnExit } = await import('./exit.ts');
  const { hookedModules } = await import('./hooked-modules.ts');
  // start() records the modules the instrumentations hook (the loader hook's include list);
  // the hook is still in place before the application's first import, which waits for --import.
  start();
  try {
    await registerLoaderHook(hookedModules());
  } catch (error) {
    process.stderr.write(
      `hopscope: ESM loader hook not registered, ESM imports are not instrumented: ${String(error)}\n`,
    );
  }
  flushOnExit();
}
