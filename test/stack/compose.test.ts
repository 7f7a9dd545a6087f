// docker-compose.yml and the Dockerfile, checked without a Docker engine: the compose file is
// loaded by the real compose loader (compose-go, what `docker compose` runs) and the Dockerfile
// goes through BuildKit's own checks (those of `docker build --check`), both thin Go programs in
// stack/tools/ built from the module proxy by stack/build-tools.sh. The resolved project is then
// held to the rules users rely on: a memory limit on every container, bind mounts that exist,
// every demo service built from the one Dockerfile with healthchecks, ordered start-up, local
// mode's variables, and scraped by Prometheus.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import { DEMO_SERVICES, upstreamEnv } from '../../stack/demo/services.ts';
import { REPO_ROOT } from '../../stack/paths.ts';

const run = promisify(execFile);

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string; args?: Record<string, string> };
  mem_limit?: number;
  deploy?: { resources?: { limits?: { memory?: number } } };
  volumes?: Array<{ type: string; source: string; target: string }>;
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
}
interface ComposeProject {
  services: Record<string, ComposeService>;
}

let loader: string;
let dockerfileCheck: string;
let project: ComposeProject;

/** A tool of stack/build-tools.sh, built on a machine's first run (1-3 min with cold Go caches). */
const tool = (name: string) =>
  execFileSync('bash', [join(REPO_ROOT, 'stack/build-tools.sh'), '--print-path', name], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .toString()
    .trim();

before(async () => {
  loader = tool('compose-check');
  dockerfileCheck = tool('dockerfile-check');
  const { stdout } = await run(loader, [join(REPO_ROOT, 'docker-compose.yml')], { cwd: REPO_ROOT });
  project = JSON.parse(stdout) as ComposeProject;
});

const repoFile = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

/** The SERVICE values the Dockerfile accepts (its `case` list). */
function dockerfileServices(): string[] {
  const match = /^\s*([a-z|-]+)\) ;; \\$/m.exec(repoFile('Dockerfile'));
  assert.ok(match, 'the Dockerfile lists the services it accepts in a case statement');
  return match[1].split('|');
}

/** Folders under demo-services/ that are services (the shared package and the load tool are not). */
function demoServiceFolders(): string[] {
  return readdirSync(join(REPO_ROOT, 'demo-services'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !['shared', 'load'].includes(entry.name))
    .map((entry) => entry.name);
}

const demoServices = () => Object.entries(project.services).filter(([, s]) => s.build?.args?.['SERVICE']);

test('the real compose loader accepts docker-compose.yml', () => {
  assert.ok(Object.keys(project.services).length > 0);
});

test('the loader fails on a broken compose file, naming the problem', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'compose-check-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'docker-compose.yml');
  writeFileSync(file, 'services:\n  a:\n    image: busybox\n    depends_on: [missing]\n');
  await assert.rejects(run(loader, [file], { cwd: dir }), (error: Error & { stderr: string; code: number }) => {
    assert.equal(error.code, 1);
    assert.match(error.stderr, /missing/);
    return true;
  });
  writeFileSync(file, 'services:\n  a:\n    image: busybox\n    mem_limit: lots\n');
  await assert.rejects(run(loader, [file], { cwd: dir }), /mem_limit|lots/);
});

test('every container has a memory limit', () => {
  for (const [name, service] of Object.entries(project.services)) {
    const limit = service.mem_limit ?? service.deploy?.resources?.limits?.memory;
    assert.ok(limit && limit > 0, `${name} has no mem_limit nor deploy.resources.limits.memory`);
  }
});

test('every bind-mounted host path exists in the repo', () => {
  let binds = 0;
  for (const [name, service] of Object.entries(project.services)) {
    for (const volume of service.volumes ?? []) {
      if (volume.type !== 'bind') continue;
      binds++;
      const inRepo = relative(REPO_ROOT, volume.source);
      assert.ok(!inRepo.startsWith('..'), `${name} mounts ${volume.source}, outside the repo`);
      assert.ok(existsSync(volume.source), `${name} mounts ${inRepo}, which does not exist`);
    }
  }
  assert.ok(binds > 0);
});

test('the Dockerfile builds exactly the services under demo-services/, each runnable', () => {
  const listed = dockerfileServices();
  assert.deepEqual([...listed].sort(), demoServiceFolders().sort());
  for (const service of listed) {
    assert.ok(
      existsSync(join(REPO_ROOT, 'demo-services', service, 'src/main.ts')),
      `demo-services/${service}/src/main.ts (the image's entrypoint) does not exist`,
    );
  }
});

interface LintResults {
  warnings: Array<{
    ruleName: string;
    detail: string;
    location: { ranges: Array<{ start: { line: number } }> };
  }> | null;
  buildError?: { message: string };
}

/** BuildKit's checks (those of `docker build --check`) on a Dockerfile with the given build args. */
async function checkDockerfile(file: string, args: string[]): Promise<LintResults> {
  try {
    const { stdout } = await run(dockerfileCheck, [file, ...args], { cwd: REPO_ROOT });
    return JSON.parse(stdout) as LintResults;
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    if (!stdout) throw new Error(`dockerfile-check failed: ${stderr}`);
    return JSON.parse(stdout) as LintResults;
  }
}

const findings = (results: LintResults) => [
  ...(results.warnings ?? []).map((w) => `line ${w.location.ranges[0]?.start.line}: ${w.ruleName}: ${w.detail}`),
  ...(results.buildError ? [results.buildError.message] : []),
];

test("the Dockerfile passes BuildKit's checks for every SERVICE", async () => {
  for (const service of dockerfileServices()) {
    assert.deepEqual(findings(await checkDockerfile(join(REPO_ROOT, 'Dockerfile'), [`SERVICE=${service}`])), []);
  }
});

test("BuildKit's checks catch a broken Dockerfile", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dockerfile-check-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'Dockerfile');
  writeFileSync(file, 'FROM node:24-slim as base\nARG SERVICE\nWORKDIR /app/$SERVIC\nCMD node main.ts\n');
  const rules = (await checkDockerfile(file, ['SERVICE=bank'])).warnings?.map((w) => w.ruleName).sort();
  assert.deepEqual(rules, ['FromAsCasing', 'JSONArgsRecommended', 'UndefinedVar']);
  writeFileSync(file, 'FROM node:24-slim\nCOPY --chmod=bad a b\nNOPE x\n');
  assert.match(findings(await checkDockerfile(file, [])).join('\n'), /unknown instruction: NOPE/i);
});

test('the Dockerfile: Node as pinned, every workspace manifest, the register flag, non-root', () => {
  const dockerfile = repoFile('Dockerfile');
  const pkg = JSON.parse(repoFile('package.json')) as { workspaces: string[]; devDependencies: Record<string, string> };
  assert.match(dockerfile, new RegExp(`^ARG NODE_VERSION=${pkg.devDependencies['node'].replaceAll('.', '\\.')}$`, 'm'));
  // npm ci needs every workspace's manifest, or the lockfile does not match.
  for (const workspace of pkg.workspaces) {
    assert.match(dockerfile, new RegExp(`^COPY ${workspace}/package\\.json ${workspace}/$`, 'm'), workspace);
  }
  assert.match(dockerfile, /^CMD \["node", "--import", "@hopscope\/instrumentation\/register", "src\/main\.ts"\]$/m);
  assert.match(dockerfile, /npm ci --omit=dev/);
  // The last stage is the default target; it and the load stage run as the image's `node` user.
  const stages = dockerfile.split(/^FROM /m).slice(1);
  assert.equal(stages.at(-1)!.split('\n')[0], 'node:${NODE_VERSION}-slim AS service');
  for (const stage of stages.filter((s) => /AS (service|load)\n/.test(s))) assert.match(stage, /^USER node$/m);
});

test('compose runs every demo service from the Dockerfile, with a healthcheck and ordered start-up', () => {
  const built = demoServices();
  assert.deepEqual(built.map(([name]) => name).sort(), dockerfileServices().sort());
  for (const [name, service] of built) {
    assert.equal(service.build?.args?.['SERVICE'], name);
    assert.equal(relative(REPO_ROOT, service.build.context), '');
    assert.equal(service.build?.target, undefined, `${name} builds the default (service) target`);
    assert.equal(service.environment?.['OTEL_SERVICE_NAME'], name);
    assert.equal(service.environment?.['OTEL_EXPORTER_OTLP_ENDPOINT'], 'http://otel-collector:4318');
    assert.equal(service.environment?.['HOPSCOPE_BAGGAGE_SPAN_ATTRIBUTES'], 'synthetic');
    assert.match(service.healthcheck?.test?.join(' ') ?? '', /\/readyz/, `${name} has no /readyz healthcheck`);
    assert.equal(service.depends_on?.['postgres']?.condition, 'service_healthy', `${name} waits for postgres`);
    // Every upstream address names a compose service that exists.
    for (const [variable, value] of Object.entries(service.environment ?? {})) {
      if (!variable.endsWith('_URL') || variable === 'DATABASE_URL' || variable === 'AMQP_URL') continue;
      const host = new URL(value!).hostname;
      assert.ok(project.services[host], `${name}: ${variable}=${value} names no compose service`);
    }
  }
  for (const [name, service] of Object.entries(project.services)) {
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
      if (condition === 'service_healthy') {
        assert.ok(project.services[dependency]?.healthcheck?.test, `${name} waits for ${dependency}'s healthcheck`);
      }
    }
  }
});

test('compose gives each demo service the variables local mode (npm run demo) gives it', () => {
  for (const spec of DEMO_SERVICES) {
    const env = project.services[spec.name]?.environment ?? {};
    const local = [
      'OTEL_SERVICE_NAME',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_BSP_SCHEDULE_DELAY',
      'OTEL_BLRP_SCHEDULE_DELAY',
      'HOPSCOPE_BAGGAGE_SPAN_ATTRIBUTES',
      'HOPSCOPE_DEMO_NAMESPACE',
      'HOST',
      'PORT',
      'DATABASE_URL',
      'AMQP_URL',
      ...Object.keys(upstreamEnv(spec)),
      ...Object.keys(spec.env ?? {}),
    ];
    for (const variable of local)
      assert.ok(variable in env, `${spec.name}: ${variable} is set in local mode, not in compose`);
  }
});

test('the load generator runs against the gateway, remote allowed only there', () => {
  const load = project.services['load'];
  assert.ok(load);
  assert.equal(load.build?.target, 'load');
  assert.equal(load.environment?.['GATEWAY_URL'], 'http://gateway:8080');
  assert.equal(load.environment?.['LOAD_ALLOW_REMOTE'], '1');
  assert.equal(load.depends_on?.['gateway']?.condition, 'service_healthy');
});

test("Prometheus scrapes every demo service and RabbitMQ's own metrics", () => {
  const targets = repoFile('prometheus/targets/services.yml');
  for (const [name] of demoServices()) {
    assert.match(targets, new RegExp(`- targets: \\[${name}:8080\\]\\n  labels: \\{ service_name: ${name} \\}`));
  }
  assert.match(repoFile('prometheus/targets/rabbitmq.yml'), /- targets: \[rabbitmq:15692\]/);
  assert.match(repoFile('prometheus/prometheus.yml'), /job_name: rabbitmq\n\s+metrics_path: \/metrics\/per-object/);
  assert.ok(project.services['rabbitmq']);
});
