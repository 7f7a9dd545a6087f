// How the report's Chromium runner treats a browser that hangs or fails, with a stand-in
// binary (a shell script) in place of Chromium: a hung run is killed and the page rendered once
// more; a run that fails outright is reported at once, not repeated.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderInChromium } from '../src/report/chromium.ts';

/** A stand-in for Chromium that counts its runs and does, on run N, what `onRun` says. */
async function standIn(t: { after: (fn: () => Promise<void>) => void }, onRun: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hopscope-chromium-stand-in-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const binary = join(dir, 'chromium');
  await writeFile(
    binary,
    `#!/bin/sh
runs=$(cat "${dir}/runs" 2>/dev/null || echo 0)
runs=$((runs + 1))
echo $runs > "${dir}/runs"
${onRun}
`,
  );
  await chmod(binary, 0o755);
  return binary;
}

async function runsOf(binary: string): Promise<number> {
  return Number(await readFile(join(binary, '..', 'runs'), 'utf8'));
}

test('a Chromium that hangs is killed and run once more, and its second page is returned', async (t) => {
  const binary = await standIn(t, `if [ $runs -eq 1 ]; then exec sleep 30; fi\necho '<html>second run</html>'`);
  const dom = await renderInChromium('/dev/null', { binary, timeoutMs: 500 });
  assert.equal(dom.trim(), '<html>second run</html>');
  assert.equal(await runsOf(binary), 2);
});

test('a Chromium that hangs twice fails, saying it did not finish in time', async (t) => {
  const binary = await standIn(t, 'exec sleep 30');
  await assert.rejects(renderInChromium('/dev/null', { binary, timeoutMs: 300 }), /did not finish within 300 ms/);
  assert.equal(await runsOf(binary), 2);
});

test('a Chromium that exits with an error is reported at once, with its stderr, and not run again', async (t) => {
  const binary = await standIn(t, "echo 'no display' >&2\nexit 3");
  await assert.rejects(renderInChromium('/dev/null', { binary }), /exited with 3: no display/);
  assert.equal(await runsOf(binary), 1);
});
