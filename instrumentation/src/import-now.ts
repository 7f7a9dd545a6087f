import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * The packages loaded only when needed: an instrumentation once its library is loaded, the log
 * SDK with the first log record, an exporter with the first export. The bundled build
 * (scripts/bundle.ts) makes each an entry of its own, `dist/on-demand/<package>.js`, that
 * shares the SDK's code with the rest of the bundle rather than loading a second copy of it.
 */
export const ON_DEMAND_PACKAGES = [
  '@opentelemetry/instrumentation-amqplib',
  '@opentelemetry/instrumentation-bunyan',
  '@opentelemetry/instrumentation-express',
  '@opentelemetry/instrumentation-pg',
  '@opentelemetry/instrumentation-pino',
  '@opentelemetry/instrumentation-winston',
  '@opentelemetry/sdk-logs',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/exporter-trace-otlp-grpc',
  '@opentelemetry/exporter-logs-otlp-http',
  '@opentelemetry/exporter-logs-otlp-proto',
  '@opentelemetry/exporter-logs-otlp-grpc',
  // The export delegate the http/protobuf log transport sends its encoded batches with.
  '@opentelemetry/otlp-exporter-base/node-http',
] as const;
export type OnDemandPackage = (typeof ON_DEMAND_PACKAGES)[number];

/** A file of the package by its path under src/: the source itself, or its build under dist/. */
export function packageFile(sourcePath: string): URL {
  // Run from the sources (tests, type stripping), modules end in .ts. Built, the code may sit in
  // any chunk of the bundle, so the path starts from the package root, not from this module.
  const root = import.meta.resolve('@hopscope/instrumentation/package.json');
  return import.meta.url.endsWith('.ts')
    ? new URL(`./src/${sourcePath}.ts`, root)
    : new URL(`./dist/${sourcePath}.js`, root);
}

/**
 * A package's ES module build, loaded synchronously (require of an ES module) at the moment it
 * is needed rather than at startup. `require(name)` would pick the package's CommonJS build, and
 * with it second copies of @opentelemetry/api and @opentelemetry/instrumentation next to the ES
 * module builds the SDK already loaded.
 */
export function importNow<T>(specifier: OnDemandPackage): T {
  const file = import.meta.url.endsWith('.ts')
    ? import.meta.resolve(specifier)
    : packageFile(`on-demand/${specifier}`).href;
  return require(fileURLToPath(file)) as T;
}
