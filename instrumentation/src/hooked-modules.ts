// The module names the instrumentations hook (an instrumentation may hook more than the
// library's name: http also hooks https, pg also pg-pool), for the ESM loader hook's include
// list (loader-hook.ts). They come from the table's `hooks`, which
// test/instrumented-libraries.test.ts checks against the instrumentations' own module
// definitions: a package's instrumentation is created only when the package is loaded, after
// the list is needed. Recorded by start() when tracing starts.
let hooked: readonly string[] = [];

export function recordHookedModules(names: readonly string[]): void {
  hooked = [...new Set(names)];
}

/** The module names the instrumentations hook; none before start() or with telemetry off. */
export function hookedModules(): readonly string[] {
  return hooked;
}
