// The express JSON endpoint with one log line per request, in stages from bare to full
// telemetry, the floor (the same telemetry written by hand for this one endpoint) and the
// OpenTelemetry zero-code peer. Rounds alternate between the stages (round 1:
// every stage, round 2: every stage, …) so drift on the machine spreads over all of them. Each
// round starts a fresh process: start → first response, RSS after a fixed number of requests,
// then a warm-up and the measured load. A longer "soak" process per stage gives the RSS after
// sustained load.
import { get } from 'node:http';
import { type AppContext, HOPSCOPE_REGISTER, type Variant, startApp } from './apps.ts';
import { load } from './load.ts';
import { type Child, nextMessage, stop } from './processes.ts';
import type { Settings } from './settings.ts';

const SCRIPT = 'express-json.mjs';
const FLOOR_SCRIPT = 'express-json-floor.mjs';
const START_TIMEOUT_MS = 30_000;
const NO_EXPORT = { OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };

export const STAGE_IDS = ['bare', 'spans', 'logger', 'traceExport', 'full', 'floor', 'peer'] as const;
export type StageId = (typeof STAGE_IDS)[number];

/** The OTLP signals each stage must send to the sink; a difference is reported under the table. */
export const EXPECTED_EXPORTS: Record<StageId, string[]> = {
  bare: [],
  spans: [],
  logger: [],
  traceExport: ['traces'],
  full: ['logs', 'traces'],
  floor: ['logs', 'traces'],
  peer: ['logs', 'traces'],
};

/** A stage: how its process starts, and which app it runs (express-json.mjs unless said). */
interface Stage extends Variant {
  script?: string;
}

export const STAGES: Record<StageId, Stage> = {
  bare: { name: 'bare', execArgv: [], env: { BENCH_LOGGER: 'plain' } },
  spans: {
    name: 'hopscope spans only (no export)',
    execArgv: HOPSCOPE_REGISTER,
    env: { ...NO_EXPORT, BENCH_LOGGER: 'plain' },
  },
  logger: { name: '+ package logger', execArgv: HOPSCOPE_REGISTER, env: { ...NO_EXPORT, BENCH_LOGGER: 'hopscope' } },
  traceExport: {
    name: '+ trace export',
    execArgv: HOPSCOPE_REGISTER,
    env: { OTEL_LOGS_EXPORTER: 'none', BENCH_LOGGER: 'hopscope' },
  },
  full: { name: '+ log export (= full)', execArgv: HOPSCOPE_REGISTER, env: { BENCH_LOGGER: 'hopscope' } },
  // No package: the app makes the same SERVER span, log line, RED observation and OTLP exports
  // itself, with nothing general (bench/apps/express-json-floor.mjs).
  floor: { name: 'floor: the same, hand-written', execArgv: [], env: {}, script: FLOOR_SCRIPT },
  peer: {
    name: 'otel zero-code peer (full)',
    // The peer does not register an ESM loader hook by itself; its docs add this flag.
    execArgv: [
      '--experimental-loader=@opentelemetry/instrumentation/hook.mjs',
      '--import',
      '@opentelemetry/auto-instrumentations-node/register',
    ],
    env: {
      BENCH_LOGGER: 'plain',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'none',
      // Cloud detectors would query metadata addresses off this machine; keep to local ones.
      OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    },
  },
};

export interface RoundSample {
  /** Process start → first response to a request. */
  startMs: number;
  /** RSS after the first response and `fixedRequests` more. */
  rssAfterFixed: number;
  requestsPerSecond: number;
  p99Ms: number;
  failedRequests: number;
  endsOnSigterm: boolean;
  /** The OTLP signals the sink received from the process (`traces`, `logs`, …), sorted. */
  exported: string[];
}

export interface StageResult {
  id: StageId;
  name: string;
  samples: RoundSample[];
  /** One line per failed round. */
  errors: string[];
  /** RSS after the soak (sustained load), when it ran and succeeded. */
  rssAfterSoak?: number;
  soakError?: string;
}

export interface StageRun {
  context: AppContext;
  loadCpu: number | undefined;
  settings: Settings;
  /** The sink's request counts per path so far. */
  sinkRequests: () => Promise<Record<string, number>>;
  /** Called after each measurement, for progress on stderr. */
  progress: (line: string) => void;
}

export async function measureStages(run: StageRun): Promise<StageResult[]> {
  const results = STAGE_IDS.map((id): StageResult => ({ id, name: STAGES[id].name, samples: [], errors: [] }));
  for (let round = 1; round <= run.settings.rounds; round++) {
    for (const result of results) {
      try {
        const sample = await measureRound(STAGES[result.id], run);
        result.samples.push(sample);
        run.progress(`round ${round}: ${result.name}: ${sample.requestsPerSecond.toFixed(0)} req/s`);
      } catch (error) {
        result.errors.push(`round ${round}: ${messageOf(error)}`);
        run.progress(`round ${round}: ${result.name}: failed: ${messageOf(error)}`);
      }
    }
  }
  if (run.settings.soakSeconds > 0) {
    for (const result of results) {
      try {
        result.rssAfterSoak = await soak(STAGES[result.id], run);
        run.progress(`soak: ${result.name}: done`);
      } catch (error) {
        result.soakError = messageOf(error);
        run.progress(`soak: ${result.name}: failed: ${messageOf(error)}`);
      }
    }
  }
  return results;
}

async function measureRound(variant: Stage, run: StageRun): Promise<RoundSample> {
  const { settings } = run;
  const sinkBefore = await run.sinkRequests();
  const started = performance.now();
  const app = startApp(variant.script ?? SCRIPT, variant, run.context);
  try {
    const url = `http://127.0.0.1:${await nextMessage<number>(app, 'listening', START_TIMEOUT_MS)}/orders/42`;
    await firstResponse(url);
    const startMs = performance.now() - started;
    const loadOptions = { url, connections: settings.connections, cpu: run.loadCpu };
    const fixed = await load({ ...loadOptions, requests: settings.fixedRequests });
    const rssAfterFixed = await rssOf(app);
    const warmup = settings.warmupSeconds > 0 ? await load({ ...loadOptions, seconds: settings.warmupSeconds }) : null;
    const measured = await load({ ...loadOptions, seconds: settings.seconds });
    const endsOnSigterm = await stop(app); // exporters flush on SIGTERM: count after it
    return {
      startMs,
      rssAfterFixed,
      requestsPerSecond: measured.requestsPerSecond,
      p99Ms: measured.p99Ms,
      failedRequests: fixed.failed + (warmup?.failed ?? 0) + measured.failed,
      endsOnSigterm,
      exported: signalsSince(sinkBefore, await run.sinkRequests()),
    };
  } finally {
    await stop(app);
  }
}

/** `/v1/traces` → `traces`, for every path the sink received requests on since `before`. */
function signalsSince(before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.keys(after)
    .filter((path) => after[path] > (before[path] ?? 0))
    .map((path) => path.replace(/^\/v1\//, ''))
    .sort();
}

async function soak(variant: Stage, run: StageRun): Promise<number> {
  const app = startApp(variant.script ?? SCRIPT, variant, run.context);
  try {
    const url = `http://127.0.0.1:${await nextMessage<number>(app, 'listening', START_TIMEOUT_MS)}/orders/42`;
    await load({ url, connections: run.settings.connections, cpu: run.loadCpu, seconds: run.settings.soakSeconds });
    return await rssOf(app);
  } finally {
    await stop(app);
  }
}

async function rssOf(app: Child): Promise<number> {
  const answer = nextMessage<number>(app, 'rss', 10_000);
  app.process.send('rss');
  return answer;
}

/** Resolves once a whole 2xx response has arrived. */
function firstResponse(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      response.resume();
      response.on('end', () =>
        response.statusCode === 200 ? resolve() : reject(new Error(`first request answered ${response.statusCode}`)),
      );
    }).on('error', reject);
  });
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
