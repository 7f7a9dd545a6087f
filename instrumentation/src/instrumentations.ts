import type { Instrumentation } from '@opentelemetry/instrumentation';
import { INSTRUMENTED_LIBRARIES, type InstrumentationOptions } from './instrumented-libraries.ts';
import { type PatchedLibrary, observePatch } from './patched-libraries.ts';

/** The module names of the libraries the package instruments when they are loaded. */
export const INSTRUMENTED_MODULES: readonly string[] = [
  ...new Set(INSTRUMENTED_LIBRARIES.map((library) => library.module)),
];

// Composed from the OpenTelemetry instrumentations; only rabbitmq-client, which has none, is ours.
export function createInstrumentations(
  options: InstrumentationOptions,
  onPatched: (patched: PatchedLibrary) => void,
): Instrumentation[] {
  // A library with more than one instrumentation (http: server and client) is reported once.
  const reported = new Set<string>();
  const onFirstPatch = (patched: PatchedLibrary) => {
    if (reported.has(patched.library)) return;
    reported.add(patched.library);
    onPatched(patched);
  };
  return INSTRUMENTED_LIBRARIES.map((library) => {
    const instrumentation = library.create(options);
    observePatch(instrumentation, library, onFirstPatch);
    return instrumentation;
  });
}
