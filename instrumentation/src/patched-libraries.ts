import { diag } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { InstrumentedLibrary } from './instrumented-libraries.ts';
import { safely } from './safely.ts';

/** A library the package has actually instrumented in this process, and its version. */
export interface PatchedLibrary {
  library: string;
  version: string;
}

// What InstrumentationBase keeps of the module definitions its init() returned: it calls their
// patch (and their files' patch) when the module is loaded, with the version read from the
// package's package.json (none for a Node.js core module).
type Patch = (moduleExports: unknown, moduleVersion?: string) => unknown;
interface PatchableDefinition {
  name: string;
  patch?: Patch;
  files?: Array<{ patch?: Patch }>;
}
interface InstrumentationInternals {
  _modules?: PatchableDefinition[];
}

// undici publishes this on every request it makes, fetch's included.
const UNDICI_REQUEST_CHANNEL = 'undici:request:create';

/**
 * Calls `onPatched` once, when `library` is actually instrumented: for a package or core module,
 * when its module definition is patched (so on the first load after start); for undici, which is
 * never patched but listened to, at its first request.
 */
export function observePatch(
  instrumentation: Instrumentation,
  library: InstrumentedLibrary,
  onPatched: (patched: PatchedLibrary) => void,
): void {
  let reported = false;
  const report = (version: string) => {
    if (reported) return;
    reported = true;
    safely('instrumented library report', () => onPatched({ library: library.module, version }));
  };
  if (library.mechanism === 'diagnostics-channel') {
    const onRequest = () => {
      unsubscribe(UNDICI_REQUEST_CHANNEL, onRequest);
      // The undici inside Node.js, the one fetch uses (an undici package of the application's
      // own publishes on the same channel: it is reported under this version too).
      report(process.versions.undici ?? 'unknown');
    };
    subscribe(UNDICI_REQUEST_CHANNEL, onRequest);
    return;
  }
  const definitions = (instrumentation as unknown as InstrumentationInternals)._modules;
  const own = definitions?.filter((definition) => definition.name === library.module) ?? [];
  if (own.length === 0) {
    diag.warn(`hopscope: cannot see when ${library.module} is patched; it is not reported as instrumented`);
    return;
  }
  for (const target of own.flatMap((definition) => [definition, ...(definition.files ?? [])])) {
    const patch = target.patch;
    if (typeof patch !== 'function') continue;
    target.patch = function (this: unknown, moduleExports, moduleVersion) {
      const patched = patch.call(this, moduleExports, moduleVersion);
      // A core module has no package.json: it is the running Node.js's.
      report(library.mechanism === 'node-core' ? process.versions.node : (moduleVersion ?? 'unknown'));
      return patched;
    };
  }
}
