// The package's build: one ES module bundle with shared chunks (esbuild), so that the register
// flag reads a handful of files instead of the SDK's few hundred (start → first response,
// issue 11). tsc writes only the type declarations next to it.
//
// Left outside the bundle, loaded from node_modules as before:
// - the packages whose state must be one per process, shared with the application's own copy
//   or with code they generate: the OpenTelemetry API (the global providers, context keys),
//   import-in-the-middle and require-in-the-middle (their hooks), prom-client (the registry a
//   user passes in), pino and its transports (loaded by file in worker threads);
// - @grpc/grpc-js: large, and loaded only for the gRPC protocol.
// Everything else the package imports is bundled; the packages loaded on demand
// (import-now.ts) are entries of their own that share the bundle's chunks.
//
// The log shipping transport, which pino loads by file in its worker thread, is a second,
// self-contained build (WORKER_ENTRIES): one file, the OpenTelemetry API inside. Started from the
// shared chunks, the worker read eight of them (mostly code it never runs) and the API's 51
// module files: ≈53 ms from new Worker() to ready against ≈33 ms for an empty transport; one file
// is ready in ≈34 ms. That worker is a thread of its own, which the application's code never
// runs in: nothing there shares the API's global state with the application. The exporter it
// loads with the first export still comes from dist/on-demand/, with the installed API.
import { type BuildOptions, build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ON_DEMAND_PACKAGES } from '../src/import-now.ts';

const EXTERNAL = [
  '@opentelemetry/api',
  '@opentelemetry/api-logs',
  'import-in-the-middle',
  'require-in-the-middle',
  'prom-client',
  'pino',
  'pino-loki',
  '@grpc/grpc-js',
];

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

const ENTRIES: Record<string, string> = {
  index: 'src/index.ts',
  register: 'src/register.ts',
  'resilience/index': 'src/resilience/index.ts',
  'saga/index': 'src/saga/index.ts',
  'messaging/index': 'src/messaging/index.ts',
  ...Object.fromEntries(ON_DEMAND_PACKAGES.map((name) => [`on-demand/${name}`, name])),
};

const WORKER_ENTRIES: Record<string, string> = {
  // Loaded by file in pino's worker thread (logs/logger.ts).
  'logs/otlp-log-transport': 'src/logs/otlp-log-transport.ts',
};

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** The options both builds share; `external` lists the packages left outside. */
function options(external: readonly string[]) {
  return {
    absWorkingDir: PACKAGE_DIR,
    outdir: 'dist',
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    sourcemap: true,
    logLevel: 'warning',
    // Bundled CommonJS packages (instrumentation-http, semver, …) call require: give them Node's.
    banner: {
      js: "import { createRequire as __hopscopeCreateRequire } from 'node:module'; const require = __hopscopeCreateRequire(import.meta.url);",
    },
    plugins: [
      {
        name: 'external-packages',
        setup(builder) {
          // Bare specifiers only: relative paths and package-internal `#imports` resolve as usual.
          builder.onResolve({ filter: /^[^./#]/ }, (args) =>
            args.path.startsWith('node:') || external.includes(packageName(args.path)) ? { external: true } : undefined,
          );
        },
      },
    ],
  } satisfies BuildOptions;
}

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({ ...options(EXTERNAL), entryPoints: ENTRIES, splitting: true, chunkNames: 'chunks/[name]-[hash]' });
await build({ ...options(['@grpc/grpc-js']), entryPoints: WORKER_ENTRIES, splitting: false });
