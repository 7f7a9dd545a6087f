// The register flag enables Node's compile cache (issue 11, startup: the SDK's modules are not
// compiled again at the next start), in the OS temp dir, bounded in size.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pruneCompileCache } from '../src/compile-cache.ts';

const CACHE_NAME = `hopscope-compile-cache-${process.getuid!()}`;

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function runWithRegister(env: Record<string, string>): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--import',
      '@hopscope/instrumentation/register',
      '--input-type=module',
      '-e',
      `import { getCompileCacheDir } from 'node:module'; process.stdout.write(String(getCompileCacheDir()));`,
    ],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', ...env },
      timeout: 20_000,
    },
  );
  return stdout;
}

test('the register flag caches compiled modules under the temp dir, for the next start', async (t) => {
  const temp = await mkdtemp(join(tmpdir(), 'hopscope-cache-test-'));
  t.after(() => rm(temp, { recursive: true, force: true }));
  const directory = await runWithRegister({ TMPDIR: temp });
  // One directory per Node version, one file per module, written when the process exits.
  assert.equal(dirname(directory), join(temp, CACHE_NAME));
  assert.ok((await readdir(directory)).length > 100, 'the SDK modules cached');
});

test('a cache directory others can write to, or a symlink in its place, is not used', async (t) => {
  const temp = await mkdtemp(join(tmpdir(), 'hopscope-cache-test-'));
  t.after(() => rm(temp, { recursive: true, force: true }));
  await mkdir(join(temp, CACHE_NAME));
  await chmod(join(temp, CACHE_NAME), 0o777);
  assert.equal(await runWithRegister({ TMPDIR: temp }), 'undefined', 'world-writable');
  await rm(join(temp, CACHE_NAME), { recursive: true });
  await mkdir(join(temp, 'elsewhere'));
  await symlink(join(temp, 'elsewhere'), join(temp, CACHE_NAME));
  assert.equal(await runWithRegister({ TMPDIR: temp }), 'undefined', 'a symlink');
  assert.deepEqual(await readdir(join(temp, 'elsewhere')), []);
});

test('NODE_DISABLE_COMPILE_CACHE turns it off', async (t) => {
  const temp = await mkdtemp(join(tmpdir(), 'hopscope-cache-test-'));
  t.after(() => rm(temp, { recursive: true, force: true }));
  assert.equal(await runWithRegister({ TMPDIR: temp, NODE_DISABLE_COMPILE_CACHE: '1' }), 'undefined');
  assert.deepEqual(await readdir(temp), []);
});

test('a cache past its size limit is removed, one within it kept', async (t) => {
  const temp = await mkdtemp(join(tmpdir(), 'hopscope-cache-test-'));
  t.after(() => rm(temp, { recursive: true, force: true }));
  const directory = join(temp, 'cache');
  await mkdir(join(directory, 'v24'), { recursive: true });
  await writeFile(join(directory, 'v24', 'a'), Buffer.alloc(600));
  await writeFile(join(directory, 'v24', 'b'), Buffer.alloc(600));
  await pruneCompileCache(directory, 2000);
  assert.deepEqual(await readdir(join(directory, 'v24')), ['a', 'b']);
  await pruneCompileCache(directory, 1000);
  assert.deepEqual(await readdir(temp), []);
});
