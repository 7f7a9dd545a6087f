// One source of truth for versions: docker-compose.yml's image tags must be the versions in
// stack/versions.env that the stack tests build and run.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { binaries, readVersions, REPO_ROOT } from '../../stack/paths.ts';

test('docker-compose.yml uses the versions of stack/versions.env', () => {
  const v = readVersions();
  const compose = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
  const images = [...compose.matchAll(/^\s*image:\s*(\S+)\s*$/gm)].map((match) => match[1]);
  assert.deepEqual(images.sort(), [
    `grafana/grafana:${v['GRAFANA_VERSION']}`,
    `grafana/loki:${v['LOKI_VERSION']}`,
    `jaegertracing/jaeger:${v['JAEGER_VERSION']}`,
    `otel/opentelemetry-collector-contrib:${v['OTELCOL_VERSION']}`,
    `postgres:${v['POSTGRES_VERSION']}`,
    `prom/prometheus:v${v['PROMETHEUS_VERSION']}`,
    `rabbitmq:${v['RABBITMQ_VERSION']}-management`,
  ]);
});

test('the collector manifest pins every component at the collector version', () => {
  const { OTELCOL_VERSION } = readVersions();
  const manifest = readFileSync(join(REPO_ROOT, 'otel-collector/builder-config.yaml'), 'utf8');
  const pins = [...manifest.matchAll(/gomod: \S+ (v\S+)/g)].map((match) => match[1]);
  assert.ok(pins.length > 0);
  assert.match(manifest, new RegExp(`^  version: ${OTELCOL_VERSION.replaceAll('.', '\\.')}$`, 'm'));
  for (const pin of pins) assert.equal(pin, `v${OTELCOL_VERSION}`);
});

test('the built backends report the pinned versions', () => {
  const v = readVersions();
  const bin = binaries(v);
  // Each prints its version its own way, on stdout or stderr.
  const version = (command: string, args: string[]) => execFileSync(command, args, { stdio: 'pipe' }).toString();
  assert.match(version(bin.otelcol, ['--version']), new RegExp(`version ${v['OTELCOL_VERSION']}$`, 'm'));
  assert.match(version(bin.jaeger, ['version']), new RegExp(`"gitVersion":"v${v['JAEGER_VERSION']}"`));
  assert.match(version(bin.loki, ['-version']), new RegExp(`^loki, version ${v['LOKI_VERSION']} `));
  assert.match(version(bin.prometheus, ['--version']), new RegExp(`^prometheus, version ${v['PROMETHEUS_VERSION']} `));
  assert.match(version(bin.promtool, ['--version']), new RegExp(`^promtool, version ${v['PROMETHEUS_VERSION']} `));
});
