// The bench's knobs, read once from the environment (documented at the top of run.ts and in
// the README's "Benchmarks" section). A bad value stops the run with a message naming it.
const env = process.env;

function positive(name: string, fallback: number, { allowZero = false } = {}): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new Error(`${name}=${JSON.stringify(text)} is not a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return value;
}

function whole(name: string, fallback: number, options?: { allowZero?: boolean }): number {
  const value = positive(name, fallback, options);
  if (!Number.isInteger(value)) throw new Error(`${name}=${JSON.stringify(env[name])} is not a whole number`);
  return value;
}

export interface Settings {
  /** Rounds of every variant, alternating (round 1: all variants, round 2: all variants, …). */
  rounds: number;
  /** Measured load per variant per round, after the warm-up. */
  seconds: number;
  warmupSeconds: number;
  connections: number;
  /** Requests after the first response before the "RSS after a fixed number of requests" sample. */
  fixedRequests: number;
  /** One more process per variant, loaded this long, for "RSS after sustained load"; 0 skips it. */
  soakSeconds: number;
  /** The core the measured service runs on, and the one the load generator and OTLP sink run on. */
  serverCpu: number;
  loadCpu: number;
  /** Messages per RabbitMQ publish → consume run, and calls per breaker variant per process. */
  messages: number;
  calls: number;
}

export function readSettings(): Settings {
  return {
    rounds: whole('BENCH_ROUNDS', 3),
    seconds: positive('BENCH_SECONDS', 5),
    warmupSeconds: positive('BENCH_WARMUP_SECONDS', 2, { allowZero: true }),
    connections: whole('BENCH_CONNECTIONS', 50),
    fixedRequests: 2000,
    soakSeconds: positive('BENCH_SOAK_SECONDS', 20, { allowZero: true }),
    serverCpu: whole('BENCH_SERVER_CPU', 0, { allowZero: true }),
    loadCpu: whole('BENCH_LOAD_CPU', 1, { allowZero: true }),
    messages: whole('BENCH_MESSAGES', 20_000),
    calls: whole('BENCH_CALLS', 200_000),
  };
}
