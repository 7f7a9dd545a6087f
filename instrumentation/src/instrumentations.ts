import type { Instrumentation } from '@opentelemetry/instrumentation';
import { INSTRUMENTED_LIBRARIES, type InstrumentationOptions } from './instrumented-libraries.ts';

/** The module names of the libraries the package instruments, as a user would recognise them. */
export const INSTRUMENTED_MODULES: readonly string[] = INSTRUMENTED_LIBRARIES.map((library) => library.module);

// Composed from the OpenTelemetry instrumentations; only rabbitmq-client, which has none, is ours.
export function createInstrumentations(options: InstrumentationOptions): Instrumentation[] {
  return INSTRUMENTED_LIBRARIES.map((library) => library.create(options));
}
