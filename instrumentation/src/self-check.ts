import { createRequire } from 'node:module';
import { sep } from 'node:path';
import { INSTRUMENTED_LIBRARIES } from './instrumented-libraries.ts';

// Packages whose instrumentation only works when they are loaded after the SDK starts (node
// core modules are patched in place, diagnostics channels are listened to whenever).
const MUST_LOAD_AFTER = INSTRUMENTED_LIBRARIES.filter((library) => library.mechanism === 'package').map(
  (library) => library.module,
);

/**
 * The libraries already in the CommonJS module cache (ESM imports of these CommonJS packages
 * land there too) when the SDK starts: their functions were captured before patching, so
 * calls through them make no spans.
 */
export function librariesLoadedBeforeStart(): string[] {
  const cached = Object.keys(createRequire(import.meta.url).cache);
  return MUST_LOAD_AFTER.filter((name) => {
    const marker = `${sep}node_modules${sep}${name}${sep}`;
    return cached.some((file) => file.includes(marker));
  });
}
