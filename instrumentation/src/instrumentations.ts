import type { Instrumentation } from '@opentelemetry/instrumentation';
import { createWhenLoaded } from './create-when-loaded.ts';
import {
  INSTRUMENTED_LIBRARIES,
  type InstrumentationOptions,
  type InstrumentedLibrary,
} from './instrumented-libraries.ts';
import { type PatchedLibrary, observePatch } from './patched-libraries.ts';

/** The module names of the libraries the package instruments when they are loaded. */
export const INSTRUMENTED_MODULES: readonly string[] = [
  ...new Set(INSTRUMENTED_LIBRARIES.map((library) => library.module)),
];

/** The modules the instrumentations hook: the ESM loader hook's include list (hooked-modules.ts). */
export const HOOKED_MODULES: readonly string[] = [
  ...new Set(INSTRUMENTED_LIBRARIES.flatMap((library) => library.hooks)),
];

/**
 * Composed from the OpenTelemetry instrumentations; only rabbitmq-client, which has none, is ours.
 * Node core and diagnostics-channel instrumentations are created now; a package's when the
 * application loads the package (most applications load few of them, and each instrumentation
 * package costs startup time). `onCreated` gets each one as it is created.
 */
export function createInstrumentations(
  options: InstrumentationOptions,
  onPatched: (patched: PatchedLibrary) => void,
  onCreated: (instrumentation: Instrumentation) => void,
): void {
  // A library with more than one instrumentation (http: server and client) is reported once.
  const reported = new Set<string>();
  const onFirstPatch = (patched: PatchedLibrary) => {
    if (reported.has(patched.library)) return;
    reported.add(patched.library);
    onPatched(patched);
  };
  const create = (library: InstrumentedLibrary) => {
    const instrumentation = library.create(options);
    observePatch(instrumentation, library, onFirstPatch);
    onCreated(instrumentation);
  };
  // In table order: http's come before the messaging libraries' (see INSTRUMENTED_LIBRARIES).
  const packages = INSTRUMENTED_LIBRARIES.filter((library) => library.mechanism === 'package');
  const deferred = createWhenLoaded(packages, create);
  for (const library of INSTRUMENTED_LIBRARIES) if (!deferred || library.mechanism !== 'package') create(library);
}
