// grafana/provisioning/ and the compose service that mounts it, checked without a Grafana (none
// can run here): every file parses, every datasource uid a correlation or a dashboard names is
// provisioned with that type, Grafana's environment interpolation leaves every link variable
// intact, the correlations all meet on `trace_id`, and docker-compose.yml mounts the files where
// the grafana/grafana image and the dashboards provider read them.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { parse } from 'yaml';
import { DASHBOARDS_DIR } from '../src/all-dashboards.ts';
import { DATASOURCES } from '../src/datasources.ts';
import {
  PROVISIONING_DIR,
  interpolateLikeGrafana,
  provisionedDatasource,
  provisionedDatasources,
  provisioningFiles,
  stringsOf,
} from '../src/provisioning.ts';

const REPO_ROOT = join(PROVISIONING_DIR, '..', '..');
/** Where grafana/grafana reads provisioning (GF_PATHS_PROVISIONING in the image). */
const IMAGE_PROVISIONING_PATH = '/etc/grafana/provisioning';
/** Environment variables the provisioning files mean Grafana to expand: none so far. */
const INTENDED_ENV_VARS = new Set<string>();
/** Datasources Grafana itself provides, which a dashboard may name without provisioning. */
const BUILT_IN_UIDS = new Set(['grafana', '-- Grafana --', '-- Mixed --', '-- Dashboard --']);

const KINDS = readdirSync(PROVISIONING_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const allFiles = () => KINDS.flatMap(provisioningFiles);
const uidToType = () => new Map(provisionedDatasources().map((d) => [d.uid, d.type]));

interface ComposeService {
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
}
const compose = () =>
  parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };

interface DashboardsProvider {
  folder: string;
  type: string;
  allowUiUpdates?: boolean;
  options: { path: string; foldersFromFilesStructure?: boolean };
}
const dashboardProviders = () =>
  provisioningFiles('dashboards').flatMap((f) => (f.resolved as { providers: DashboardsProvider[] }).providers);

test('every provisioning file parses as YAML of apiVersion 1', () => {
  const files = allFiles();
  assert.ok(
    files.some((f) => f.file.startsWith('datasources/')),
    'a datasources file',
  );
  assert.ok(
    files.some((f) => f.file.startsWith('dashboards/')),
    'a dashboards file',
  );
  for (const { file, document } of files)
    assert.equal((document as { apiVersion?: unknown }).apiVersion, 1, `${file}: apiVersion`);
});

test('the provisioned datasources are the ones the dashboards code names: same uids and types, none twice', () => {
  const provisioned = provisionedDatasources();
  assert.equal(new Set(provisioned.map((d) => d.uid)).size, provisioned.length, 'uids are unique');
  assert.equal(new Set(provisioned.map((d) => d.name)).size, provisioned.length, 'names are unique');
  assert.deepEqual(
    provisioned.map((d) => ({ type: d.type, uid: d.uid })).sort((a, b) => a.uid.localeCompare(b.uid)),
    DATASOURCES.map((d) => ({ type: d.type, uid: d.uid })).sort((a, b) => a.uid.localeCompare(b.uid)),
  );
});

test('every datasourceUid a correlation links to is provisioned', () => {
  const uids = uidToType();
  const references = allFiles().flatMap((f) =>
    stringsOf(f.resolved)
      .filter(({ path }) => /(^|\.)datasourceUid$/.test(path))
      .map((ref) => ({ ...ref, file: f.file })),
  );
  assert.ok(references.length >= 4, `exemplars, derived field, traces to logs and to metrics: ${references.length}`);
  for (const { file, path, raw } of references) assert.ok(uids.has(raw), `${file} ${path}: no datasource ${raw}`);
});

/** Every `datasource` reference in a dashboard: panels, targets, variables, annotations. */
function datasourceRefs(node: unknown, path: string): Array<{ path: string; ref: unknown }> {
  if (Array.isArray(node)) return node.flatMap((item, i) => datasourceRefs(item, `${path}[${i}]`));
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node as Record<string, unknown>).flatMap(([key, value]) => [
    ...(key === 'datasource' ? [{ path: `${path}.${key}`, ref: value }] : []),
    ...datasourceRefs(value, `${path}.${key}`),
  ]);
}

test('every datasource a dashboard names is provisioned, with the type the dashboard expects', () => {
  const uids = uidToType();
  const files = readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json'));
  assert.ok(files.length > 0, 'dashboards to check');
  for (const file of files) {
    const refs = datasourceRefs(JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')), file);
    assert.ok(refs.length > 0, `${file} names its datasources`);
    for (const { path, ref } of refs) {
      // A name or a `${variable}` instead of a uid would break as soon as a datasource is renamed.
      assert.ok(ref && typeof ref === 'object', `${path}: a {type, uid} reference, not ${JSON.stringify(ref)}`);
      const { type, uid } = ref as { type?: string; uid?: string };
      assert.ok(uid, `${path}: a uid`);
      if (BUILT_IN_UIDS.has(uid)) continue;
      assert.ok(uids.has(uid), `${path}: no provisioned datasource ${uid}`);
      assert.equal(type, uids.get(uid), `${path}: the type of ${uid}`);
    }
  }
});

test('interpolateLikeGrafana expands what Grafana expands and keeps what it keeps', () => {
  const env = { PORT: '9090' };
  const cases: Array<[string, string, string[]]> = [
    ['$${__value.raw}', '${__value.raw}', []],
    ['${__value.raw}', '', ['__value.raw']],
    ['http://prometheus:$PORT', 'http://prometheus:9090', ['PORT']],
    ['trace_id="$${__span.traceId}"', 'trace_id="${__span.traceId}"', []],
    ['costs 5 $', 'costs 5 $', []],
    ['a $ b', 'a $ b', []],
    ['$1 and $?', ' and ', ['1', '?']],
    ['{x=~"^a$"}', '{x=~"^a$"}', []],
    ['$$$x', '$', ['x']],
  ];
  for (const [raw, value, expanded] of cases)
    assert.deepEqual(interpolateLikeGrafana(raw, env), { value, expanded }, raw);
});

test('no `$` in provisioning is expanded by Grafana unless meant to be: link variables are written `$$`', () => {
  const unescaped = allFiles().flatMap(({ file, document }) =>
    stringsOf(document).flatMap(({ path, raw }) =>
      interpolateLikeGrafana(raw)
        .expanded.filter((name) => !INTENDED_ENV_VARS.has(name))
        .map((name) => `${file} ${path}: Grafana would replace $${name} in ${JSON.stringify(raw)} (write $$)`),
    ),
  );
  assert.deepEqual(unescaped, []);
});

test('the correlations meet on trace_id and keep the link variables Grafana fills in', () => {
  const prometheus = provisionedDatasource('prometheus');
  const loki = provisionedDatasource('loki');
  const jaeger = provisionedDatasource('jaeger');

  // Prometheus exemplars: the label holding the trace id, opened in Jaeger.
  assert.deepEqual(
    prometheus.jsonData?.exemplarTraceIdDestinations?.map((d) => [d.name, d.datasourceUid]),
    [['trace_id', jaeger.uid]],
  );

  // Loki: the derived field finds the trace_id label (structured metadata) and no other, and
  // hands its value to Jaeger as the trace id query.
  const [field] = loki.jsonData?.derivedFields ?? [];
  assert.ok(field, 'a derived field');
  assert.equal(field.matcherType, 'label');
  assert.equal(field.datasourceUid, jaeger.uid);
  assert.equal(field.url, '${__value.raw}');
  const matcher = new RegExp(field.matcherRegex);
  for (const other of ['span_id', 'parent_trace_id', 'trace_id_hex', 'service_name'])
    assert.equal(matcher.test(other), false, `${field.matcherRegex} must not match the label ${other}`);
  assert.equal(matcher.test('trace_id'), true);

  // Jaeger → Loki: the span's trace id against the trace_id structured metadata.
  const logs = jaeger.jsonData?.tracesToLogsV2;
  assert.equal(logs?.datasourceUid, loki.uid);
  assert.equal(logs.customQuery, true);
  assert.match(logs.query ?? '', /\| trace_id="\$\{__span\.traceId\}"/);

  // Jaeger → Prometheus: queries on the span's operation.
  const metrics = jaeger.jsonData?.tracesToMetrics;
  assert.equal(metrics?.datasourceUid, prometheus.uid);
  assert.ok(metrics.queries.length > 0);
  for (const { name, query } of metrics.queries) assert.match(query, /\$\{__span\.name\}/, name);
});

test('each datasource URL is a compose service, on the port that backend listens on', () => {
  const services = compose().services;
  const listens: Record<string, string> = {
    // Prometheus's default --web.listen-address (compose does not set one).
    prometheus: '9090',
    loki: /http_listen_port: \$\{LOKI_HTTP_PORT:-(\d+)\}/.exec(
      readFileSync(join(REPO_ROOT, 'loki/config.yaml'), 'utf8'),
    )![1],
    jaeger: /JAEGER_QUERY_HTTP_PORT:-(\d+)\}/.exec(readFileSync(join(REPO_ROOT, 'jaeger/config.yaml'), 'utf8'))![1],
  };
  for (const datasource of provisionedDatasources()) {
    const url = new URL(datasource.url);
    assert.ok(services[url.hostname], `${datasource.name}: ${url.hostname} is a compose service`);
    assert.equal(url.port, listens[datasource.type], `${datasource.name}: the port ${url.hostname} listens on`);
  }
});

test('the dashboards provider reads one folder "hopscope" that users cannot save over', () => {
  const providers = dashboardProviders();
  assert.equal(providers.length, 1);
  const [provider] = providers;
  assert.equal(provider.type, 'file');
  assert.equal(provider.folder, 'hopscope');
  assert.equal(provider.allowUiUpdates, false);
  assert.equal(provider.options.foldersFromFilesStructure, false);
});

test('docker-compose.yml mounts provisioning where the Grafana image reads it, and the dashboards where the provider does', () => {
  const grafana = compose().services['grafana'];
  assert.ok(grafana, 'a grafana service');
  assert.match(grafana.image ?? '', /^grafana\/grafana:12\./);
  const provisioningPath = grafana.environment?.['GF_PATHS_PROVISIONING'] ?? IMAGE_PROVISIONING_PATH;
  const mounts = new Map(
    (grafana.volumes ?? []).map((volume) => {
      const [source, target, mode] = volume.split(':');
      return [source, { target, mode }];
    }),
  );
  assert.deepEqual(mounts.get('./grafana/provisioning'), { target: provisioningPath, mode: 'ro' });
  assert.deepEqual(mounts.get('./grafana/dashboards'), {
    target: dashboardProviders()[0].options.path,
    mode: 'ro',
  });
});
