// What importing each entry point of the built package loads, as a user's service imports it
// (resolved from the repository root through the package's exports). The helper subpaths are
// for services that want breaker, saga or outbox telemetry without the tracing SDK: they must
// load nothing but @opentelemetry/api, prom-client and the package's own code, and still record
// on the registries the user makes with prom-client.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { Registry, register } from 'prom-client';
import { SagaTelemetry } from '../src/saga/sagas.ts';
import { captureLogger } from './helpers/capture-logger.ts';
import { metricValue } from './helpers/metrics-text.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE_DIST = new URL('../dist/', import.meta.url).href;

// Counted in a fresh process: a load hook sees every module file, ESM or CommonJS, that the
// import pulls in (node: builtins are left out: they ship inside the node binary).
const COUNT_MODULES = `
import { registerHooks } from 'node:module';
const loaded = new Set();
registerHooks({ load(url, context, nextLoad) { loaded.add(url); return nextLoad(url, context); } });
await import(process.env.ENTRY);
process.stdout.write(JSON.stringify([...loaded].filter((url) => !url.startsWith('node:'))));
`;

async function modulesLoadedBy(entry: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', COUNT_MODULES], {
    cwd: REPO_ROOT,
    // Telemetry off, so `/register` exports nothing: its imports are static and load all the same.
    env: { PATH: process.env['PATH'] ?? '', ENTRY: entry, OTEL_SDK_DISABLED: 'true' },
  });
  return JSON.parse(stdout) as string[];
}

/** The package a module file belongs to: its node_modules folder, or ours. */
function packageOf(url: string): string {
  if (url.startsWith(PACKAGE_DIST)) return '@hopscope/instrumentation';
  const inNodeModules = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return inNodeModules ? inNodeModules[1] : url;
}

function countByPackage(urls: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const url of urls) counts.set(packageOf(url), (counts.get(packageOf(url)) ?? 0) + 1);
  return counts;
}

// The helper subpaths take prom-client's registry and metric classes from its own files (see
// src/metrics/prom-client-parts.ts), not from its index, which would also load Summary (with
// tdigest and bintrees), the pushgateway, the cluster aggregator and the default metrics.
const ALLOWED_PACKAGES = ['@hopscope/instrumentation', '@opentelemetry/api', 'prom-client'];

// @opentelemetry/api 1.10's ESM build is 51 files and prom-client's registry and metric
// classes 8: those 59 are the floor. The package's own code is what this package controls. It
// is bundled (scripts/bundle.ts), so the SDK would come in as chunks of the package's own build
// rather than as packages ALLOWED_PACKAGES refuses: the bound is on the bytes read. A helper
// subpath reads some 40–50 KB of the build; the SDK's startup chunks that start.ts pulls in are
// some 250 KB. In all a subpath loads about 67 files today; 90 leaves room, and is well under
// the ~155 that prom-client's index costs: its default metrics require the API's CommonJS
// build, a second copy of those 51 files next to the ESM one.
const MAX_OWN_BYTES = 100_000;
const MAX_MODULES = 90;

for (const subpath of ['/resilience', '/saga', '/messaging']) {
  const entry = `@hopscope/instrumentation${subpath}`;
  test(`importing ${entry} alone loads only @opentelemetry/api, prom-client and the package's own modules`, async (t) => {
    const loaded = await modulesLoadedBy(entry);
    const byPackage = countByPackage(loaded);
    t.diagnostic(`${entry}: ${loaded.length} modules ${JSON.stringify(Object.fromEntries(byPackage))}`);
    assert.ok(byPackage.get('@hopscope/instrumentation'), `${entry} did not resolve to the built package`);
    assert.deepEqual(
      [...byPackage.keys()].filter((name) => !ALLOWED_PACKAGES.includes(name)),
      [],
      `${entry} loads packages beyond @opentelemetry/api and prom-client`,
    );
    const own = loaded.filter((url) => url.startsWith(PACKAGE_DIST));
    const ownBytes = own.reduce((sum, url) => sum + statSync(new URL(url)).size, 0);
    assert.ok(
      ownBytes <= MAX_OWN_BYTES,
      `${entry} reads ${ownBytes} bytes of the package's build (bound ${MAX_OWN_BYTES}):\n${own.join('\n')}`,
    );
    assert.ok(loaded.length <= MAX_MODULES, `${entry} loads ${loaded.length} modules (bound ${MAX_MODULES})`);
  });
}

// The root entry and the register flag start the SDK by design. The build bundles the SDK
// (scripts/bundle.ts): they load some 110 files, most of them @opentelemetry/api's 51 and
// prom-client's 23, where the SDK's own packages were some 300. The bound catches a bundle
// that stops bundling, or a new heavy dependency left outside it.
const MAX_SDK_MODULES = 150;
for (const subpath of ['', '/register']) {
  const entry = `@hopscope/instrumentation${subpath}`;
  test(`importing ${entry} loads at most ${MAX_SDK_MODULES} modules`, async (t) => {
    const loaded = await modulesLoadedBy(entry);
    t.diagnostic(`${entry}: ${loaded.length} modules ${JSON.stringify(Object.fromEntries(countByPackage(loaded)))}`);
    assert.ok(loaded.length <= MAX_SDK_MODULES, `${entry} loads ${loaded.length} modules`);
  });
}

// The helpers require prom-client's files rather than its index: they must still be the same
// registry and classes a user gets from 'prom-client' (no start() in this process).
test("a helper's metrics land on a registry made with prom-client's Registry, and by default on its global register", async () => {
  const mine = new Registry();
  const onMine = new SagaTelemetry({ registry: mine, logger: captureLogger() });
  onMine.end(onMine.start('light-subpaths-own', 'order-1'), 'completed');
  assert.equal(
    metricValue(await mine.metrics(), 'hopscope_saga_ended_total', {
      saga: 'light-subpaths-own',
      outcome: 'completed',
    }),
    1,
  );

  const onGlobal = new SagaTelemetry({ logger: captureLogger() });
  onGlobal.start('light-subpaths-global', 'order-2');
  assert.equal(
    metricValue(await register.metrics(), 'hopscope_saga_started_total', { saga: 'light-subpaths-global' }),
    1,
  );
});
