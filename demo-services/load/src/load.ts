// The run: sign in, then start iterations at a constant arrival rate (an open model, like k6's
// constant-arrival-rate executor: a slow gateway does not slow the load down, it shows up as
// iterations in flight, and past maxInFlight as dropped iterations), each one action of the
// mix. Counts every outcome by action and status; prints progress and a summary.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadConfig } from './config.ts';
import { GatewayClient, type Reply } from './gateway-client.ts';
import { type Action, type Random, badRequest, orderLines, pickAction } from './mix.ts';

/** Statuses each action expects; anything else is counted as unexpected. */
const EXPECTED: Record<Action, number[]> = {
  place: [202],
  read: [200],
  list: [200],
  // 409: the order is still pending, already cancelled, or was compensated.
  cancel: [202, 409],
  bad: [400],
};

/** Orders are read or cancelled only once they are this old, so the read model has them. */
const SETTLE_MS = 2000;
/** Orders kept to read and cancel; the oldest are forgotten. */
const REMEMBERED_ORDERS = 500;

export interface ActionStats {
  sent: number;
  statuses: Record<string, number>;
  unexpected: number;
  latenciesMs: number[];
}

export interface LoadReport {
  durationMs: number;
  iterations: number;
  dropped: number;
  unexpected: number;
  errors: number;
  byAction: Record<string, Omit<ActionStats, 'latenciesMs'> & { p50Ms: number; p95Ms: number }>;
}

export interface RunOptions {
  random?: Random;
  log?: (line: string) => void;
  /** Stops the run early (SIGINT/SIGTERM); in-flight iterations still finish. */
  signal?: AbortSignal;
  progressEveryMs?: number;
}

export async function runLoad(config: LoadConfig, options: RunOptions = {}): Promise<LoadReport> {
  const random = options.random ?? Math.random;
  const log = options.log ?? ((line: string) => console.log(line));
  const client = new GatewayClient(config.gatewayUrl, config.requestTimeoutMs);
  await signInWhenReachable(client, config.connectTimeoutMs, log);

  const stats = new Map<Action, ActionStats>();
  const placed: Array<{ orderId: string; at: number }> = [];
  const inFlight = new Set<Promise<void>>();
  let iterations = 0;
  let dropped = 0;
  let errors = 0;
  let lastError = '';

  const record = (action: Action, outcome: Reply | 'error') => {
    const s = stats.get(action) ?? { sent: 0, statuses: {}, unexpected: 0, latenciesMs: [] };
    stats.set(action, s);
    s.sent++;
    const key = outcome === 'error' ? 'error' : String(outcome.status);
    s.statuses[key] = (s.statuses[key] ?? 0) + 1;
    if (outcome === 'error' || !EXPECTED[action].includes(outcome.status)) s.unexpected++;
    if (outcome !== 'error') s.latenciesMs.push(outcome.ms);
  };

  const settledOrder = (): { index: number; orderId: string } | undefined => {
    const settled = placed.filter((o) => Date.now() - o.at >= SETTLE_MS);
    if (settled.length === 0) return undefined;
    const pick = settled[Math.floor(random() * settled.length)];
    return { index: placed.indexOf(pick), orderId: pick.orderId };
  };

  const iteration = async () => {
    const action = pickAction(random, settledOrder() !== undefined);
    try {
      if (action === 'place') {
        const reply = await client.placeOrder(orderLines(random), randomUUID());
        record(action, reply);
        const orderId = (reply.body as { orderId?: unknown } | undefined)?.orderId;
        if (reply.status === 202 && typeof orderId === 'string') {
          placed.push({ orderId, at: Date.now() });
          if (placed.length > REMEMBERED_ORDERS) placed.shift();
        }
      } else if (action === 'read') {
        record(action, await client.readOrder(settledOrder()!.orderId));
      } else if (action === 'cancel') {
        const order = settledOrder()!;
        placed.splice(order.index, 1); // one cancel per order; a second would only 409
        record(action, await client.cancelOrder(order.orderId));
      } else if (action === 'list') {
        record(action, await client.listOrders());
      } else {
        const bad = badRequest(random);
        record(action, await client.placeOrder(bad.lines, bad.sendIdempotencyKey ? randomUUID() : null));
      }
    } catch (error) {
      errors++;
      lastError = describe(error);
      record(action, 'error');
    }
  };

  const started = Date.now();
  const intervalMs = 1000 / config.ratePerSecond;
  const progressEveryMs = options.progressEveryMs ?? 10_000;
  let nextProgress = started + progressEveryMs;
  log(
    `[load] ${config.ratePerSecond}/s for ${config.durationMs / 1000}s against ${config.gatewayUrl} as load-generator`,
  );
  for (let i = 0; ; i++) {
    const due = started + i * intervalMs;
    if (due - started >= config.durationMs || options.signal?.aborted) break;
    const wait = due - Date.now();
    if (wait > 0) {
      try {
        await sleep(wait, undefined, { signal: options.signal });
      } catch {
        break; // aborted
      }
    }
    if (inFlight.size >= config.maxInFlight) {
      dropped++;
    } else {
      iterations++;
      const running: Promise<void> = iteration().finally(() => inFlight.delete(running));
      inFlight.add(running);
    }
    if (Date.now() >= nextProgress) {
      nextProgress += progressEveryMs;
      const totals = summarize(stats);
      log(
        `[load] t=${Math.round((Date.now() - started) / 1000)}s iterations=${iterations} unexpected=${totals.unexpected} ` +
          `errors=${errors} in_flight=${inFlight.size} dropped=${dropped}${lastError ? ` last_error="${lastError}"` : ''}`,
      );
    }
  }
  await Promise.all(inFlight);
  const report: LoadReport = {
    durationMs: Date.now() - started,
    iterations,
    dropped,
    errors,
    unexpected: summarize(stats).unexpected,
    byAction: Object.fromEntries(
      [...stats].map(([action, s]) => [
        action,
        {
          sent: s.sent,
          statuses: s.statuses,
          unexpected: s.unexpected,
          p50Ms: percentile(s.latenciesMs, 0.5),
          p95Ms: percentile(s.latenciesMs, 0.95),
        },
      ]),
    ),
  };
  log(`[load] done ${JSON.stringify(report)}`);
  return report;
}

/** The first sign-in, retried while the gateway is not reachable yet (it may be starting). */
async function signInWhenReachable(client: GatewayClient, timeoutMs: number, log: (line: string) => void) {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await client.signIn();
      return;
    } catch (error) {
      const reason = describe(error);
      if (Date.now() + 1000 > deadline) {
        throw new Error(`gateway not usable at ${client.baseUrl} after ${attempt} attempt(s): ${reason}`);
      }
      log(`[load] waiting for the gateway at ${client.baseUrl}: ${reason}`);
      await sleep(1000);
    }
  }
}

function summarize(stats: Map<Action, ActionStats>) {
  let unexpected = 0;
  for (const s of stats.values()) unexpected += s.unexpected;
  return { unexpected };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
}

/** fetch's "fetch failed" hides the reason (ECONNREFUSED, a timeout) in its cause. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause =
    error.cause instanceof Error ? `: ${(error.cause as Error & { code?: string }).code ?? error.cause.message}` : '';
  return `${error.message}${cause}`;
}
