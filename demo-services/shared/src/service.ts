// The frame every demo service runs in, so that each service's own files hold only its
// patterns: an express app with /healthz (alive), /readyz (database and broker reachable) and
// /metrics, its own database created and migrated, the broker connected with the topology
// declared, the outbox relay running, and a graceful shutdown. The HTTP server listens first
// and answers 503 until the dependencies are reachable, so a service waiting for PostgreSQL or
// RabbitMQ says so instead of crash-looping.
import { metricsMiddleware, setChaosFaultActive } from '@hopscope/instrumentation';
import type { OutboxRelay } from '@hopscope/instrumentation/messaging';
import express, { type Express, type Router } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { AmqpClient } from './amqp-client.ts';
import { type ChaosAdmin, startChaosAdmin } from './chaos/admin-server.ts';
import { FaultBoard } from './chaos/fault-board.ts';
import { FaultCatalog, type FaultSpecs } from './chaos/faults.ts';
import { httpFaults } from './chaos/http-faults.ts';
import { type DemoConfig, readDemoConfig } from './config.ts';
import { databaseReachable, openDatabase, withMigrationLock } from './database.ts';
import { HttpError, errorMiddleware } from './http-errors.ts';
import { type Log, serviceLogger } from './log.ts';
import { Publisher } from './publisher.ts';
import { Topology } from './topology.ts';

export interface ServiceContext {
  config: DemoConfig;
  log: Log;
  topology: Topology;
  env: Record<string, string | undefined>;
  /** The service's own database (when the definition has migrations). */
  pool: pg.Pool;
  /** Consumers are registered here in build(); they start once the broker is reachable. */
  amqp: AmqpClient;
  /** Writes outgoing messages to the outbox, in the caller's transaction. */
  publisher: Publisher;
  /** The chaos knobs on now (the service reads its own knobs here, see ServiceDefinition.faults). */
  faults: FaultBoard;
}

export interface ServiceParts {
  /** The service's own routes. */
  routes?: Router;
  /** Background work started once database and broker are reachable (sweepers, pollers). */
  start?(): Promise<void> | void;
  stop?(): Promise<void>;
}

export interface ServiceDefinition {
  name: string;
  /**
   * Idempotent DDL run in order at startup; the outbox table is added by the frame. build()
   * runs under the same lock, so the tables it creates (idempotent consumers') are safe too.
   */
  migrations: readonly string[];
  /** Whether the service talks to RabbitMQ (every service but the bank). @default true */
  usesBroker?: boolean;
  /**
   * Chaos knobs of this service only, on top of every service's (named `<name>.<knob>`, e.g. the
   * bank's `bank.timeout`): the admin API accepts them here and refuses them elsewhere; build()
   * makes them do something through context.faults.
   */
  faults?: FaultSpecs;
  /** Reads the service's own variables; throws a ConfigError naming a bad one (before anything starts). */
  checkConfig?(env: Record<string, string | undefined>): void;
  build(context: ServiceContext): Promise<ServiceParts> | ServiceParts;
}

export interface RunningService {
  app: Express;
  server: Server;
  url: string;
  /** The chaos admin API's base URL, when HOPSCOPE_CHAOS_TOKEN turned it on. */
  chaosUrl: string | undefined;
  /** Resolves once the dependencies are reachable and the service serves its routes. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Builds and starts a service (tests call this in-process, with PORT=0). */
export async function startService(
  definition: ServiceDefinition,
  env: Record<string, string | undefined> = process.env,
): Promise<RunningService> {
  const config = readDemoConfig(definition.name, env);
  definition.checkConfig?.(env);
  const log = serviceLogger();
  const topology = new Topology(config.namespace);
  const usesBroker = definition.usesBroker ?? true;
  const app = express();
  app.disable('x-powered-by');
  let context: ServiceContext | undefined;
  let parts: ServiceParts | undefined;
  let relay: OutboxRelay | undefined;
  let stopping: Promise<void> | undefined;

  // Once stopping, every answer closes its connection: a caller's kept-alive socket would
  // otherwise keep this instance serving (and its stop waiting) for as long as it sends on it.
  app.use((_req, res, next) => {
    if (stopping) res.setHeader('connection', 'close');
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: config.service });
  });
  app.get('/readyz', async (_req, res) => {
    const database = context ? await databaseReachable(context.pool) : false;
    const broker = usesBroker ? (context?.amqp.connected ?? false) : true;
    const ready = parts !== undefined && database && broker;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      database: database ? 'up' : 'down',
      ...(usesBroker ? { broker: broker ? 'up' : 'down' } : {}),
      started: parts !== undefined,
    });
  });
  app.get('/metrics', metricsMiddleware());
  const faults = new FaultBoard(new FaultCatalog(definition.faults, definition.name));
  // After the probes and /metrics (they must show the process as it is), before the routes.
  app.use(httpFaults(faults));
  const router = express.Router();
  app.use((_req, _res, next) => {
    if (!parts)
      throw new HttpError(503, 'starting', `${config.service} is starting: waiting for its database or broker`);
    next();
  });
  app.use(router);
  app.use(errorMiddleware(log));

  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  log.info({ port, host: config.host, namespace: config.namespace }, 'listening');
  let chaos: ChaosAdmin | undefined;
  if (config.chaos) {
    // Every knob gets a series (0 = off) as soon as the API is on, so dashboards can tell "off" from "absent".
    faults.onChange((fault, active) => setChaosFaultActive(fault, active !== undefined));
    for (const fault of faults.catalog.names) setChaosFaultActive(fault, false);
    try {
      chaos = await startChaosAdmin({ ...config.chaos, board: faults, log });
    } catch (error) {
      server.close();
      throw error;
    }
  }

  const ready = (async () => {
    const amqp = new AmqpClient({ url: config.amqpUrl, topology, log, faults });
    const pool = await openDatabase(config, definition.migrations, log);
    const publisher = new Publisher(topology, pool);
    const serviceContext: ServiceContext = { config, log, topology, env, pool, amqp, publisher, faults };
    context = serviceContext;
    const built = await withMigrationLock(pool, async () => {
      if (usesBroker) await publisher.createTable(pool);
      return definition.build(serviceContext);
    });
    if (built.routes) router.use(built.routes);
    if (usesBroker) {
      await amqp.start();
      relay = publisher.relay(pool, config.amqpUrl, log);
      relay.start();
    }
    await built.start?.();
    parts = built;
    log.info({ service: config.service }, 'ready');
  })();
  ready.catch((error: unknown) => log.error({ err: error }, 'startup failed'));

  const stop = () =>
    (stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // close() ends the connections idle now; one whose answer was still on its way becomes
      // idle later, and is ended then.
      const idleSweep = setInterval(() => server.closeIdleConnections(), 100).unref();
      void closed.finally(() => clearInterval(idleSweep));
      server.closeIdleConnections();
      faults.close();
      await chaos?.stop();
      await parts?.stop?.();
      await relay?.stop();
      await context?.amqp.stop();
      await closed;
      await context?.pool.end();
    })());
  return { app, server, url: `http://127.0.0.1:${port}`, chaosUrl: chaos?.url, ready, stop };
}

/**
 * main.ts of every service: starts it, and on SIGTERM/SIGINT stops taking requests, finishes
 * what is in flight, closes its connections and lets the process end. A bad configuration
 * ends the process at once with one line naming the variable.
 */
export async function runService(definition: ServiceDefinition): Promise<void> {
  let service: RunningService;
  try {
    service = await startService(definition);
  } catch (error) {
    process.stderr.write(`${definition.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  // Not a reachability problem (those are waited out): a bug or a bad setting. End, and be restarted.
  service.ready.catch(() => process.exit(1));
  const shutdown = (signal: NodeJS.Signals) => {
    // A second signal, or a shutdown stuck for 10 s, ends the process the hard way.
    setTimeout(() => process.exit(1), 10_000).unref();
    process.once(signal, () => process.exit(1));
    void service.stop().then(() => (process.exitCode = 0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
