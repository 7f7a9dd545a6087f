import { register } from 'node:module';

// ESM apps need a loader hook so that `import express from 'express'` reaches the
// instrumentations. The synchronous in-thread hooks (module.registerHooks) cost no worker
// thread and no message round trip per module; older Node 22/24 lines lack the CommonJS
// support they rely on, so those fall back to the off-thread module.register hook.
export async function registerLoaderHook(): Promise<void> {
  const hooks = await import('import-in-the-middle/register-hooks.mjs');
  if (hooks.supportsSyncHooks()) {
    hooks.register();
    return;
  }
  register('import-in-the-middle/hook.mjs', import.meta.url);
}
