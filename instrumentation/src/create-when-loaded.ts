import { registerHooks } from 'node:module';
import { safely } from './safely.ts';

/** A library whose instrumentation is created only once the application loads it. */
export interface LoadTriggered {
  /** The module names whose first resolution (require or import) creates it. */
  hooks: readonly string[];
}

/**
 * Calls `create` for a library when one of its modules is first resolved, before that module
 * loads, so the instrumentation created then still patches it: an application pays for the
 * instrumentation packages of the libraries it uses, not for all of them at startup.
 * Returns false when Node has no synchronous module hooks; the caller then creates them all now.
 */
export function createWhenLoaded<T extends LoadTriggered>(
  libraries: readonly T[],
  create: (library: T) => void,
): boolean {
  if (typeof registerHooks !== 'function') return false;
  const pending = new Map<string, T>();
  for (const library of libraries) for (const name of library.hooks) pending.set(name, library);
  if (pending.size === 0) return true;
  let creating = false;
  const hooks = registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      // The instrumentation's own modules load while it is created: none of them is a trigger.
      if (creating) return resolved;
      const library = pending.get(packageOf(resolved.url) ?? '');
      if (library) {
        for (const name of library.hooks) pending.delete(name);
        creating = true;
        // Never into the application's import: without it, the library loads uninstrumented.
        safely(`instrumentation of ${library.hooks[0]}`, () => create(library));
        creating = false;
        if (pending.size === 0) hooks.deregister();
      }
      return resolved;
    },
  });
  return true;
}

// The package a resolved file belongs to: the path segment(s) after its last node_modules
// (pnpm's store nests packages as node_modules/.pnpm/<id>/node_modules/<name>).
function packageOf(url: string): string | undefined {
  const at = url.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const rest = url.slice(at + '/node_modules/'.length).split('/');
  return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
}
