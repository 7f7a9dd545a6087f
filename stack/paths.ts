// Where the stack's files live: the repo's configs, the backends' binaries in the build
// cache (the same layout stack/build.sh writes), and the run folder .stack/ (gitignored).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const RUN_DIR = join(REPO_ROOT, '.stack');
export const LOG_DIR = join(RUN_DIR, 'logs');
export const DATA_DIR = join(RUN_DIR, 'data');

/** KEY=VALUE pairs of stack/versions.env, the one source of truth for versions. */
export function readVersions(): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const line of readFileSync(join(REPO_ROOT, 'stack/versions.env'), 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) versions[match[1]] = match[2]!;
  }
  return versions;
}

function cacheDir(): string {
  const cache = process.env['HOPSCOPE_CACHE'] ?? join(homedir(), '.cache/hopscope');
  return join(cache, 'backends');
}

/** Same key as otelcol_dir in build.sh: version plus a hash of the manifest without comments. */
function collectorKey(version: string): string {
  const manifest = readFileSync(join(REPO_ROOT, 'otel-collector/builder-config.yaml'), 'utf8');
  const lines = (manifest.endsWith('\n') ? manifest.slice(0, -1) : manifest).split('\n');
  const kept = lines.filter((line) => !/^ *#/.test(line)).map((line) => `${line}\n`);
  return `otelcol-${version}-${createHash('sha256').update(kept.join('')).digest('hex').slice(0, 12)}`;
}

export interface Binaries {
  otelcol: string;
  jaeger: string;
  loki: string;
  prometheus: string;
  promtool: string;
}

export function binaries(versions = readVersions()): Binaries {
  const dir = cacheDir();
  const bin = (folder: string, name: string) => join(dir, folder, 'bin', name);
  return {
    otelcol: bin(collectorKey(versions['OTELCOL_VERSION']), 'otelcol-hopscope'),
    jaeger: bin(`jaeger-${versions['JAEGER_VERSION']}`, 'jaeger'),
    loki: bin(`loki-${versions['LOKI_VERSION']}`, 'loki'),
    prometheus: bin(`prometheus-${versions['PROMETHEUS_VERSION']}`, 'prometheus'),
    promtool: bin(`prometheus-${versions['PROMETHEUS_VERSION']}`, 'promtool'),
  };
}
