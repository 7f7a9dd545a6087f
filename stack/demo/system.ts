// The whole demo as local processes: RabbitMQ and PostgreSQL (started if down), the backends
// (the stack runner), every demo service instance (supervised: restarted when it exits), and
// optionally the load generator. Prometheus scrapes every instance's /metrics and RabbitMQ's
// own endpoint. With a chaos token, every instance runs its chaos admin API and the runner its
// own for the infrastructure (infra-admin.ts), the services then reaching RabbitMQ and
// PostgreSQL through loopback proxies that those faults control. `npm run demo` runs this in
// the foreground, `npm run demo:up` in the background, and the end-to-end tests in-process
// with a namespace of their own.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROMETHEUS_DIR } from '../backends.ts';
import { REPO_ROOT } from '../paths.ts';
import { HOST, URLS } from '../ports.ts';
import { Stack, fileTail } from '../runner.ts';
import { type InfraAdmin, startInfraAdmin } from './infra-admin.ts';
import { InfraFaults } from './infra-faults.ts';
import { POSTGRES_PORT, RABBITMQ_PORT, RABBITMQ_PROMETHEUS_PORT, ensurePostgres, ensureRabbitMq } from './infra.ts';
import {
  BROKER_PROXY_PORT,
  DEMO_SERVICES,
  GATEWAY_URL,
  INFRA_ADMIN_PORT,
  chaosPort,
  chaosUrls,
  databaseProxyPort,
  instanceUrls,
  upstreamEnv,
} from './services.ts';
import { SupervisedInstance } from './supervisor.ts';
import { TcpProxy } from './tcp-proxy.ts';

export const DEMO_DIR = join(REPO_ROOT, '.demo');
export const DEMO_LOG_DIR = join(DEMO_DIR, 'logs');

/** The real broker and database server (the services reach them through proxies when chaos is on). */
const AMQP_URL = `amqp://guest:guest@${HOST}:${RABBITMQ_PORT}`;
const DATABASE_URL = `postgres://postgres@${HOST}:${POSTGRES_PORT}/postgres`;
/** The services' minimum (demo-services/shared/src/config.ts). */
const MIN_CHAOS_TOKEN_LENGTH = 16;

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
  /**
   * Turns chaos on: every instance's admin API (on its port + 1000) and the infra admin API
   * (port 29000), both requiring this bearer token (at least 16 characters). @default off
   */
  chaosToken?: string;
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
  /** Prefix of every database, exchange and queue. */
  namespace: string;
  /** The real broker (not the chaos proxy the services use). */
  amqpUrl: string;
  /** The real PostgreSQL server (not the chaos proxies the services use). */
  databaseUrl: string;
  /** Present when chaos is on. */
  chaos?: {
    token: string;
    /** Each instance's chaos admin API base URL, by service. */
    services: Record<string, string[]>;
    /** The infra admin API base URL. */
    infra: string;
  };
}

export class DemoSystem {
  readonly namespace: string;
  readonly instances = new Map<string, SupervisedInstance[]>();
  private stack: Stack | undefined;
  private load: ChildProcess | undefined;
  private proxies: { broker: TcpProxy; databases: Map<string, TcpProxy> } | undefined;
  private infraFaults: InfraFaults | undefined;
  private infraAdmin: InfraAdmin | undefined;
  private readonly options: DemoOptions;
  private readonly say: (line: string) => void;
  private readonly killChildren = () => {
    this.load?.kill('SIGKILL');
    for (const list of this.instances.values()) for (const instance of list) instance.kill('SIGKILL');
  };

  private starting: Promise<void> | undefined;
  private cancelled = false;

  constructor(options: DemoOptions = {}) {
    if (options.chaosToken !== undefined && options.chaosToken.length < MIN_CHAOS_TOKEN_LENGTH) {
      throw new Error(`chaosToken: must be at least ${MIN_CHAOS_TOKEN_LENGTH} characters`);
    }
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
      namespace: this.namespace,
      amqpUrl: AMQP_URL,
      databaseUrl: DATABASE_URL,
      ...(this.options.chaosToken === undefined
        ? {}
        : {
            chaos: {
              token: this.options.chaosToken,
              services: Object.fromEntries(names.map((name) => [name, chaosUrls(name)])),
              infra: `http://${HOST}:${INFRA_ADMIN_PORT}`,
            },
          }),
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
    if (this.options.chaosToken !== undefined) await this.startProxies();
    this.say(`starting ${DEMO_SERVICES.length} services (namespace ${this.namespace})`);
    for (const spec of DEMO_SERVICES) {
      const list = spec.ports.map((port, index) => this.instance(spec.name, port, index, spec.ports.length));
      this.instances.set(spec.name, list);
      for (const instance of list) instance.start();
    }
    if (this.options.chaosToken !== undefined) await this.startInfraAdmin(this.options.chaosToken);
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
        ...this.serverUrls(name),
        ...(this.options.chaosToken === undefined
          ? {}
          : {
              HOPSCOPE_CHAOS_TOKEN: this.options.chaosToken,
              HOPSCOPE_CHAOS_HOST: HOST,
              HOPSCOPE_CHAOS_PORT: String(chaosPort(port)),
            }),
        ...upstreamEnv(spec),
        ...spec.env,
        ...passedThrough(name),
        ...this.options.serviceEnv?.[name],
      },
      onRestart: (instance, exit) => this.say(`${instance} exited (${exit}); restarting it`),
    });
  }

  /** DATABASE_URL and AMQP_URL: the servers themselves, or with chaos on the proxies in front of them. */
  private serverUrls(name: string): Record<string, string> {
    if (!this.proxies) return { DATABASE_URL, AMQP_URL };
    return {
      DATABASE_URL: `postgres://postgres@${HOST}:${databaseProxyPort(name)}/postgres`,
      AMQP_URL: `amqp://guest:guest@${HOST}:${BROKER_PROXY_PORT}`,
    };
  }

  /**
   * Loopback TCP proxies in front of RabbitMQ (one, for every service) and PostgreSQL (one per
   * service), which the broker.* and database.* faults make refuse or delay. Not `rabbitmqctl
   * stop_app` nor stopping PostgreSQL: both servers are shared by every test and session on this
   * machine, and stopping them would break those too; a proxy breaks the demo's connections alone.
   */
  private async startProxies(): Promise<void> {
    const proxy = (port: number, targetPort: number) => new TcpProxy({ port, targetHost: HOST, targetPort });
    this.proxies = {
      broker: proxy(BROKER_PROXY_PORT, RABBITMQ_PORT),
      databases: new Map(DEMO_SERVICES.map((s) => [s.name, proxy(databaseProxyPort(s.name), POSTGRES_PORT)])),
    };
    for (const p of [this.proxies.broker, ...this.proxies.databases.values()]) {
      await p.accept().catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'EADDRINUSE'
          ? new Error(`chaos proxy port ${HOST}:${p.port} is in use (another demo running?)`)
          : error;
      });
    }
  }

  private async startInfraAdmin(token: string): Promise<void> {
    const { broker, databases } = this.proxies!;
    this.infraFaults = new InfraFaults({
      broker,
      databases,
      collector: {
        stop: () => this.stack!.stopBackend('otelcol'),
        start: () => this.stack!.startBackend('otelcol'),
      },
      kill: (service) =>
        (this.instances.get(service) ?? []).flatMap((instance) => {
          const pid = instance.pid;
          if (pid === undefined) return [];
          instance.kill('SIGKILL');
          return [{ instance: instance.options.id, pid }];
        }),
    });
    this.infraAdmin = await startInfraAdmin({ faults: this.infraFaults, token, port: INFRA_ADMIN_PORT, say: this.say });
    this.say(
      `chaos admin APIs on: infra ${this.infraAdmin.url}, services on their port + 1000 (token in endpoints.json)`,
    );
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
    // No fault changes while stopping (a collector being started again finishes first).
    await this.infraAdmin?.stop();
    await this.infraFaults?.idle();
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
    // After the services, which close their connections through them.
    for (const proxy of [this.proxies?.broker, ...(this.proxies?.databases.values() ?? [])]) await proxy?.refuse();
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
