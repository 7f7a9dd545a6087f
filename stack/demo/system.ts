// The whole demo as local processes: RabbitMQ and PostgreSQL (started if down), the backends
// (the stack runner), every demo service instance (supervised: restarted when it exits), and
// optionally the load generator. Prometheus scrapes every instance's /metrics and RabbitMQ's
// own endpoint. `npm run demo` runs this in the foreground, `npm run demo:up` in the
// background, and the end-to-end tests in-process with a namespace of their own.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROMETHEUS_DIR } from '../backends.ts';
import { REPO_ROOT } from '../paths.ts';
import { HOST, URLS } from '../ports.ts';
import { Stack, fileTail } from '../runner.ts';
import { RABBITMQ_PROMETHEUS_PORT, ensurePostgres, ensureRabbitMq } from './infra.ts';
import { DEMO_SERVICES, GATEWAY_URL, instanceUrls, upstreamEnv } from './services.ts';
import { SupervisedInstance } from './supervisor.ts';

export const DEMO_DIR = join(REPO_ROOT, '.demo');
export const DEMO_LOG_DIR = join(DEMO_DIR, 'logs');

export interface LoadOptions {
  /** Requests per second. */
  rate: number;
  /** e.g. `5m`. */
  duration: string;
}

export interface DemoOptions {
  /** Prefix of every database, exchange and queue. @default 'shop' */
  namespace?: string;
  /** Start the load generator. @default off */
  load?: LoadOptions;
  /**
   * Backends and services run in process groups of their own, so a Ctrl-C reaches only the
   * runner, which then stops them in order; the caller handles signals. Without it (tests),
   * everything is killed when this process dies. @default false
   */
  detached?: boolean;
  /** Extra variables per service, e.g. `{ bank: { BANK_FAILURE_RATE: '1' } }`. */
  serviceEnv?: Record<string, Record<string, string>>;
  /** How long every instance may take to answer /readyz. @default 60000 */
  readyTimeoutMs?: number;
  say?: (line: string) => void;
}

export interface Endpoints {
  gateway: string;
  jaeger: string;
  prometheus: string;
  loki: string;
  otlp: string;
  rabbitmqMetrics: string;
  /** Each service's base URL (its first instance). */
  services: Record<string, string>;
  /** Every instance of each service. */
  instances: Record<string, string[]>;
}

export class DemoSystem {
  readonly namespace: string;
  readonly instances = new Map<string, SupervisedInstance[]>();
  private stack: Stack | undefined;
  private load: ChildProcess | undefined;
  private readonly options: DemoOptions;
  private readonly say: (line: string) => void;
  private readonly killChildren = () => {
    this.load?.kill('SIGKILL');
    for (const list of this.instances.values()) for (const instance of list) instance.kill('SIGKILL');
  };

  private starting: Promise<void> | undefined;
  private cancelled = false;

  constructor(options: DemoOptions = {}) {
    this.options = options;
    this.namespace = options.namespace ?? 'shop';
    this.say = options.say ?? (() => undefined);
    // A process that dies (an error, a test runner's timeout) must not leave services behind.
    process.once('exit', this.killChildren);
    if (!options.detached) {
      process.once('SIGINT', this.killChildren);
      process.once('SIGTERM', this.killChildren);
    }
  }

  /** A new system, started (what the tests use). */
  static async start(options: DemoOptions = {}): Promise<DemoSystem> {
    const system = new DemoSystem(options);
    await system.start();
    return system;
  }

  /** Starts everything; on a failure, or a stop() meanwhile, stops what it started and rejects. */
  start(): Promise<void> {
    this.starting ??= this.startAll().catch(async (error: unknown) => {
      await this.teardown();
      throw error;
    });
    return this.starting;
  }

  endpoints(): Endpoints {
    const names = DEMO_SERVICES.map((s) => s.name);
    return {
      gateway: GATEWAY_URL,
      jaeger: URLS.jaeger,
      prometheus: URLS.prometheus,
      loki: URLS.loki,
      otlp: URLS.collectorOtlpHttp,
      rabbitmqMetrics: `http://${HOST}:${RABBITMQ_PROMETHEUS_PORT}/metrics`,
      services: Object.fromEntries(names.map((name) => [name, instanceUrls(name)[0]])),
      instances: Object.fromEntries(names.map((name) => [name, instanceUrls(name)])),
    };
  }

  /** Restarts every instance of a service with some settings changed (a fault, then a recovery). */
  async restartService(name: string, env: Record<string, string>): Promise<void> {
    const instances = this.instances.get(name);
    if (!instances) throw new Error(`no demo service named ${name}`);
    await Promise.all(instances.map((instance) => instance.restart(env)));
  }

  /** Process ids of everything this system started, by name (demo:down's fallback, demo:status). */
  pids(): Record<string, number> {
    const pids: Record<string, number | undefined> = { ...this.stack?.pids(), load: this.load?.pid };
    for (const instance of [...this.instances.values()].flat()) pids[instance.options.id] = instance.pid;
    return Object.fromEntries(
      Object.entries(pids).filter((entry): entry is [string, number] => entry[1] !== undefined),
    );
  }

  /** Between the steps of a start: a stop() asked for meanwhile ends it there. */
  private checkNotCancelled(): void {
    if (this.cancelled) throw new Error('the demo was stopped while it started');
  }

  private async startAll(): Promise<void> {
    await ensurePostgres(this.say);
    await ensureRabbitMq(this.say);
    this.checkNotCancelled();
    this.say('starting the backends: OpenTelemetry Collector, Jaeger, Loki, Prometheus');
    this.stack = await Stack.start({ detached: this.options.detached ?? false });
    this.checkNotCancelled();
    this.writeScrapeTargets();
    this.say(`starting ${DEMO_SERVICES.length} services (namespace ${this.namespace})`);
    for (const spec of DEMO_SERVICES) {
      const list = spec.ports.map((port, index) => this.instance(spec.name, port, index, spec.ports.length));
      this.instances.set(spec.name, list);
      for (const instance of list) instance.start();
    }
    await this.waitReady(this.options.readyTimeoutMs ?? 60_000);
    if (this.options.load) this.startLoad(this.options.load);
  }

  private instance(name: string, port: number, index: number, count: number): SupervisedInstance {
    const spec = DEMO_SERVICES.find((s) => s.name === name)!;
    const id = count > 1 ? `${name}-${index + 1}` : name;
    return new SupervisedInstance({
      id,
      command: process.execPath,
      args: ['--import', '@hopscope/instrumentation/register', `demo-services/${name}/src/main.ts`],
      cwd: REPO_ROOT,
      logDir: DEMO_LOG_DIR,
      detached: this.options.detached ?? false,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '/tmp',
        OTEL_SERVICE_NAME: name,
        OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${id}`,
        OTEL_EXPORTER_OTLP_ENDPOINT: URLS.collectorOtlpHttp,
        // Short batch delays: a person clicking through from a response to its trace should
        // not wait for the SDK's 5 s default.
        OTEL_BSP_SCHEDULE_DELAY: '500',
        OTEL_BLRP_SCHEDULE_DELAY: '500',
        HOPSCOPE_BAGGAGE_SPAN_ATTRIBUTES: 'synthetic',
        HOPSCOPE_DEMO_NAMESPACE: this.namespace,
        HOST,
        PORT: String(port),
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
        AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
        ...upstreamEnv(spec),
        ...spec.env,
        ...passedThrough(name),
        ...this.options.serviceEnv?.[name],
      },
      onRestart: (instance, exit) => this.say(`${instance} exited (${exit}); restarting it`),
    });
  }

  /** Prometheus (file-based discovery, re-read every 5 s) scrapes each instance and RabbitMQ. */
  private writeScrapeTargets(): void {
    const groups = DEMO_SERVICES.flatMap((spec) =>
      spec.ports.map((port, index) => ({
        targets: [`${HOST}:${port}`],
        labels: {
          service_name: spec.name,
          ...(spec.ports.length > 1 ? { instance_id: `${spec.name}-${index + 1}` } : {}),
        },
      })),
    );
    const targets = join(PROMETHEUS_DIR, 'targets');
    writeFileSync(join(targets, 'services.yml'), JSON.stringify(groups));
    writeFileSync(
      join(targets, 'rabbitmq.yml'),
      JSON.stringify([{ targets: [`${HOST}:${RABBITMQ_PROMETHEUS_PORT}`] }]),
    );
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const pending = new Map(
      [...this.instances.values()].flat().map((instance) => {
        const port = Number(instance.options.env['PORT']);
        return [instance.options.id, { instance, url: `http://${HOST}:${port}/readyz` }];
      }),
    );
    while (pending.size > 0) {
      for (const [id, { url }] of pending) {
        const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
          async (response) => (await response.arrayBuffer(), response.ok),
          () => false,
        );
        if (ok) pending.delete(id);
      }
      if (pending.size === 0) break;
      this.checkNotCancelled();
      if (Date.now() > deadline) {
        const tails = [...pending.values()].map(
          ({ instance }) => `--- ${instance.logFile}\n${fileTail(instance.logFile, 15)}`,
        );
        throw new Error(`not ready within ${timeoutMs} ms: ${[...pending.keys()].join(', ')}\n${tails.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private startLoad(load: LoadOptions): void {
    mkdirSync(DEMO_LOG_DIR, { recursive: true });
    const fd = openSync(join(DEMO_LOG_DIR, 'load.log'), 'a');
    // Not instrumented: its requests must reach the gateway without a traceparent of their own,
    // so that each is a trace root there (a k6 run would be the same; k6 is not used here: AGPL).
    this.load = spawn(process.execPath, ['demo-services/load/src/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '/tmp',
        GATEWAY_URL,
        LOAD_RATE: String(load.rate),
        LOAD_DURATION: load.duration,
      },
      stdio: ['ignore', fd, fd],
      detached: this.options.detached ?? false,
    });
    closeSync(fd);
    this.say(`load generator: ${load.rate} requests/s for ${load.duration} (log: .demo/logs/load.log)`);
  }

  /**
   * Stops the load, then the gateway and the other services, then the backends. Called while
   * start() is under way, it lets the start end at its next step, then stops what it started.
   */
  async stop(): Promise<void> {
    this.cancelled = true;
    await this.starting?.catch(() => undefined);
    await this.teardown();
  }

  private async teardown(): Promise<void> {
    // No instance may be restarted once stopping began, whatever order they are stopped in.
    for (const list of this.instances.values()) for (const instance of list) instance.holdRestarts();
    if (this.load && this.load.exitCode === null && this.load.signalCode === null) {
      const exited = new Promise((resolve) => this.load!.once('exit', resolve));
      this.load.kill('SIGTERM');
      await exited;
    }
    for (const spec of [...DEMO_SERVICES].reverse()) {
      await Promise.all((this.instances.get(spec.name) ?? []).map((instance) => instance.stop()));
    }
    await this.stack?.stop();
    process.removeListener('exit', this.killChildren);
    process.removeListener('SIGINT', this.killChildren);
    process.removeListener('SIGTERM', this.killChildren);
  }
}

/**
 * A service's own settings from the runner's environment, so that `BANK_FAILURE_RATE=0.5 npm run
 * demo` works as it does in compose: the variables named after the service (BANK_*, ORDERS_*, …).
 */
function passedThrough(service: string): Record<string, string> {
  const prefix = `${service.toUpperCase().replaceAll('-', '_')}_`;
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[0].startsWith(prefix) && !entry[0].endsWith('_URL') && entry[1] !== undefined,
    ),
  );
}
