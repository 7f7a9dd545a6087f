import type { Instrumentation, InstrumentationModuleDefinition } from '@opentelemetry/instrumentation';

// The module names the instrumentations hook, read from their own module definitions (an
// instrumentation may hook more than the library's name: http also hooks https, pg also
// pg-pool), so the ESM loader hook's include list (loader-hook.ts) cannot drift from what
// they patch. Recorded by start() when it creates them.
let hooked: readonly string[] = [];

export function recordHookedModules(instrumentations: readonly Instrumentation[]): void {
  const names = instrumentations.flatMap((instrumentation) =>
    hasModuleDefinitions(instrumentation)
      ? instrumentation.getModuleDefinitions().map((definition) => definition.name)
      : [],
  );
  hooked = [...new Set(names)];
}

/** The module names the instrumentations start() created hook; none before start() or with telemetry off. */
export function hookedModules(): readonly string[] {
  return hooked;
}

interface WithModuleDefinitions {
  getModuleDefinitions(): InstrumentationModuleDefinition[];
}

// InstrumentationBase has module definitions, the Instrumentation interface does not promise
// them; not instanceof, since an instrumentation may extend the CommonJS build of the class.
function hasModuleDefinitions(
  instrumentation: Instrumentation,
): instrumentation is Instrumentation & WithModuleDefinitions {
  return typeof (instrumentation as Partial<WithModuleDefinitions>).getModuleDefinitions === 'function';
}
