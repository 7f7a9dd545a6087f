import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * A package's ES module build, loaded synchronously (require of an ES module) at the moment it
 * is needed rather than at startup. `require(name)` would pick the package's CommonJS build, and
 * with it second copies of @opentelemetry/api and @opentelemetry/instrumentation next to the ES
 * module builds the SDK already loaded.
 */
export function importNow<T>(specifier: string): T {
  return require(fileURLToPath(import.meta.resolve(specifier))) as T;
}
