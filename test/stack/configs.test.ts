// The repo's configs, checked by the backends' own tools at the pinned versions: a renamed
// collector component or a bad Prometheus/Loki/Jaeger setting fails here, not in a user's compose.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { binaries, REPO_ROOT } from '../../stack/paths.ts';

const run = promisify(execFile);
const bin = binaries();
const repoFile = (path: string) => join(REPO_ROOT, path);

test('the collector validates otel-collector/config.yaml', async () => {
  const { stderr } = await run(bin.otelcol, ['validate', `--config=${repoFile('otel-collector/config.yaml')}`]);
  assert.doesNotMatch(stderr, /error/i);
});

/** Component types used by a collector config: the part of each id before any `/name`. */
function usedComponents(configYaml: string): Set<string> {
  const used = new Set<string>();
  let section: string | undefined;
  for (const line of configYaml.split('\n')) {
    const top = /^(receivers|processors|exporters|connectors|extensions|service):/.exec(line);
    if (top) section = top[1] === 'service' ? undefined : top[1];
    else if (/^\S/.test(line)) section = undefined;
    const id = /^ {2}([a-z0-9_]+)(?:\/[\w-]+)?:/.exec(line);
    if (section && id) used.add(id[1]);
  }
  return used;
}

test('the built collector holds exactly the components the config uses', async () => {
  const { stdout } = await run(bin.otelcol, ['components']);
  // `components` prints YAML lists of `- name: <type>` entries per kind, plus providers etc.
  const built = new Set<string>();
  let kind: string | undefined;
  for (const line of stdout.split('\n')) {
    const header = /^(\w+):/.exec(line);
    if (header) kind = header[1];
    const name = /^\s*- name: (\S+)/.exec(line);
    if (name && kind && ['receivers', 'processors', 'exporters', 'connectors', 'extensions'].includes(kind)) {
      built.add(name[1]);
    }
  }
  const used = usedComponents(readFileSync(repoFile('otel-collector/config.yaml'), 'utf8'));
  assert.deepEqual([...built].sort(), [...used].sort());
});

test('promtool checks prometheus/prometheus.yml', async () => {
  const { stdout } = await run(bin.promtool, ['check', 'config', repoFile('prometheus/prometheus.yml')]);
  assert.match(stdout, /SUCCESS/);
});

test('Loki verifies loki/config.yaml', async () => {
  await run(bin.loki, ['-verify-config', `-config.file=${repoFile('loki/config.yaml')}`, '-config.expand-env=true']);
});

test('Jaeger validates jaeger/config.yaml', async () => {
  await run(bin.jaeger, ['validate', `--config=${repoFile('jaeger/config.yaml')}`]);
});
