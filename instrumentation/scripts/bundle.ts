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
import { build } from 'esbuild';
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
  // Loaded by file in pino's worker thread (logs/logger.ts).
  'logs/otlp-log-transport': 'src/logs/otlp-log-transport.ts',
  ...Object.fromEntries(ON_DEMAND_PACKAGES.map((name) => [`on-demand/${name}`, name])),
};

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  absWorkingDir: PACKAGE_DIR,
  entryPoints: ENTRIES,
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
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
          args.path.startsWith('node:') || EXTERNAL.includes(packageName(args.path)) ? { external: true } : undefined,
        );
      },
    },
  ],
});
