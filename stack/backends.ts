// How each backend is started on this machine: the binary from the build cache, the repo's
// config file, and loopback addresses through the environment variables that config reads.
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Binaries, DATA_DIR, REPO_ROOT, RUN_DIR } from './paths.ts';
import { HOST, PORTS } from './ports.ts';

export type BackendName = 'prometheus' | 'loki' | 'jaeger' | 'otelcol';

export interface BackendSpec {
  name: BackendName;
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Answers 200 once the backend serves. */
  readyUrl: string;
  /** Every port it listens on: all must be free before it starts. */
  ports: number[];
  /** Makes the folders and files it needs; `fresh` (every start but a restart) drops old data. */
  prepare(fresh: boolean): void;
}

const config = (path: string) => join(REPO_ROOT, path);
const at = (port: number) => `${HOST}:${port}`;

/** Prometheus runs on a copy of prometheus/prometheus.yml beside loopback scrape targets. */
export const PROMETHEUS_DIR = join(RUN_DIR, 'prometheus');

/** The rule files prometheus.yml loads (rules/*.yml), without their promtool tests (rules/tests/). */
function copyRuleFiles(): void {
  const from = config('prometheus/rules');
  mkdirSync(join(PROMETHEUS_DIR, 'rules'));
  for (const file of readdirSync(from)) {
    if (file.endsWith('.yml')) copyFileSync(join(from, file), join(PROMETHEUS_DIR, 'rules', file));
  }
}

function writeTargets(file: string, targets: string[], labels: Record<string, string> = {}): void {
  writeFileSync(join(PROMETHEUS_DIR, 'targets', file), JSON.stringify([{ targets, labels }]));
}

/** The service name the stack tests' scraped fixture runs under (the services job's label). */
export const FIXTURE_SERVICE = 'stack-gateway';

/** In start order: each backend's downstreams first, the collector last. */
export function backendSpecs(bin: Binaries): BackendSpec[] {
  return [
    {
      name: 'prometheus',
      command: bin.prometheus,
      args: [
        `--config.file=${join(PROMETHEUS_DIR, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(DATA_DIR, 'prometheus')}`,
        `--web.listen-address=${at(PORTS.prometheus)}`,
        '--enable-feature=exemplar-storage',
        '--web.enable-otlp-receiver',
        '--log.level=warn',
      ],
      env: {},
      readyUrl: `http://${at(PORTS.prometheus)}/-/ready`,
      ports: [PORTS.prometheus],
      prepare(fresh) {
        // Each test run starts from empty storage: data of an earlier run must not satisfy it.
        if (fresh) rmSync(join(DATA_DIR, 'prometheus'), { recursive: true, force: true });
        rmSync(PROMETHEUS_DIR, { recursive: true, force: true });
        mkdirSync(join(PROMETHEUS_DIR, 'targets'), { recursive: true });
        copyFileSync(config('prometheus/prometheus.yml'), join(PROMETHEUS_DIR, 'prometheus.yml'));
        copyRuleFiles();
        writeTargets('prometheus.yml', [at(PORTS.prometheus)]);
        writeTargets('otel-collector.yml', [at(PORTS.collectorMetrics)]);
        writeTargets('services.yml', [at(PORTS.fixtureMetrics)], { service_name: FIXTURE_SERVICE });
        // RabbitMQ's own endpoint is scraped only while the demo runs (stack/demo writes it).
        writeTargets('rabbitmq.yml', []);
      },
    },
    {
      name: 'loki',
      command: bin.loki,
      args: [`-config.file=${config('loki/config.yaml')}`, '-config.expand-env=true'],
      env: {
        LOKI_LISTEN_ADDRESS: HOST,
        LOKI_HTTP_PORT: String(PORTS.lokiHttp),
        LOKI_GRPC_PORT: String(PORTS.lokiGrpc),
        LOKI_DATA_DIR: join(DATA_DIR, 'loki'),
      },
      readyUrl: `http://${at(PORTS.lokiHttp)}/ready`,
      ports: [PORTS.lokiHttp, PORTS.lokiGrpc],
      prepare(fresh) {
        if (fresh) rmSync(join(DATA_DIR, 'loki'), { recursive: true, force: true });
        mkdirSync(join(DATA_DIR, 'loki'), { recursive: true });
      },
    },
    {
      name: 'jaeger',
      command: bin.jaeger,
      args: [`--config=${config('jaeger/config.yaml')}`],
      env: {
        JAEGER_LISTEN_HOST: HOST,
        JAEGER_OTLP_GRPC_PORT: String(PORTS.jaegerOtlpGrpc),
        JAEGER_QUERY_HTTP_PORT: String(PORTS.jaegerQueryHttp),
        JAEGER_QUERY_GRPC_PORT: String(PORTS.jaegerQueryGrpc),
        JAEGER_HEALTH_PORT: String(PORTS.jaegerHealth),
        JAEGER_METRICS_PORT: String(PORTS.jaegerMetrics),
      },
      readyUrl: `http://${at(PORTS.jaegerHealth)}/status`,
      ports: [
        PORTS.jaegerOtlpGrpc,
        PORTS.jaegerQueryHttp,
        PORTS.jaegerQueryGrpc,
        PORTS.jaegerHealth,
        PORTS.jaegerMetrics,
      ],
      prepare() {},
    },
    {
      name: 'otelcol',
      command: bin.otelcol,
      args: [`--config=${config('otel-collector/config.yaml')}`],
      env: collectorEnv(),
      readyUrl: `http://${at(PORTS.collectorHealth)}/`,
      ports: [PORTS.collectorOtlpGrpc, PORTS.collectorOtlpHttp, PORTS.collectorHealth, PORTS.collectorMetrics],
      prepare() {},
    },
  ];
}

/** The collector's addresses, and timings short enough for tests (compose keeps the defaults). */
export function collectorEnv(): Record<string, string> {
  return {
    COLLECTOR_OTLP_GRPC_ENDPOINT: at(PORTS.collectorOtlpGrpc),
    COLLECTOR_OTLP_HTTP_ENDPOINT: at(PORTS.collectorOtlpHttp),
    COLLECTOR_HEALTH_ENDPOINT: at(PORTS.collectorHealth),
    COLLECTOR_METRICS_HOST: HOST,
    COLLECTOR_METRICS_PORT: String(PORTS.collectorMetrics),
    JAEGER_OTLP_GRPC_ENDPOINT: at(PORTS.jaegerOtlpGrpc),
    LOKI_OTLP_ENDPOINT: `http://${at(PORTS.lokiHttp)}/otlp`,
    PROMETHEUS_OTLP_METRICS_ENDPOINT: `http://${at(PORTS.prometheus)}/api/v1/otlp/v1/metrics`,
    TAIL_SAMPLING_DECISION_WAIT: '3s',
    SPAN_METRICS_FLUSH_INTERVAL: '2s',
  };
}
