import { isBuiltin, register } from 'node:module';

// ESM apps need a loader hook so that `import express from 'express'` reaches the
// instrumentations. The synchronous in-thread hooks (module.registerHooks) cost no worker
// thread and no message round trip per module; older Node 22/24 lines lack the CommonJS
// support they rely on, so those fall back to the off-thread module.register hook.
//
// Only the modules the instrumentations hook are wrapped: without an include list
// import-in-the-middle parses the exports of, and adds a wrapper module for, every ESM module
// the app imports (the OTLP exporters' first export alone wrapped some 130), which the
// instrumentations never look at.
export async function registerLoaderHook(hookedModules: readonly string[]): Promise<void> {
  if (hookedModules.length === 0) return;
  const include = includeList(hookedModules);
  const hooks = await import('import-in-the-middle/register-hooks.mjs');
  if (hooks.supportsSyncHooks()) {
    hooks.register({ include });
    return;
  }
  register('import-in-the-middle/hook.mjs', import.meta.url, { data: { include } });
}

// import-in-the-middle matches a string against the import specifier (a built-in also as
// `node:<name>`) and a regular expression against the resolved URL. An instrumentation hooks
// a package's internal files too (pg's lib/client.js, winston's lib/winston/logger.js), and
// an app may import a subpath: every file under the package's directory is included.
function includeList(hookedModules: readonly string[]): Array<string | RegExp> {
  return hookedModules.flatMap((name) =>
    isBuiltin(name) ? [name] : [name, new RegExp(`/node_modules/${escapeRegExp(name)}/`)],
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
