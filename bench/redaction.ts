// Run by hand: `node bench/redaction.ts`. What redaction costs per log line: the walk
// createLogger() does (redactCredentials as pino's log formatter), against the same pino logger
// with no redaction at all, with the 16 lowercase-only pino `redact` paths the package used
// before, and with pino `redact` given the same coverage as paths (three case forms of each key
// at each position); createLogger itself is shown too (it adds the trace-context mixin), outside
// any span and inside a sampled one (as a request handler logs). Lines go to a stream that drops them, so the
// numbers are serialisation + redaction, not I/O. BENCH_LINES sets the lines per measurement.
import { hostname } from 'node:os';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import pino, { type Logger } from 'pino';
import { createLogger } from '../instrumentation/src/logs/logger.ts';
import { redactCredentials } from '../instrumentation/src/logs/redact-credentials.ts';

const LINES = Number(process.env['BENCH_LINES'] ?? 50_000);
const ROUNDS = 5;

// What applications log on the hot path: a small business line, an HTTP request as
// pino-http logs it, and a line that does carry a credential.
const SHAPES: Record<string, () => [Record<string, unknown>, string]> = {
  'small line': () => [{ order_id: 'ord-123', amount: 42, currency: 'EUR' }, 'order received'],
  'request line': () => [
    {
      req: {
        method: 'POST',
        url: '/orders',
        headers: {
          host: 'localhost:3000',
          'content-type': 'application/json',
          accept: '*/*',
          'user-agent': 'node',
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
          'content-length': '42',
        },
      },
      res: { statusCode: 202 },
      responseTime: 3,
    },
    'request completed',
  ],
  'line with a credential': () => [{ user: { name: 'ada', Password: 'hunter2' }, Authorization: 'Bearer x' }, 'login'],
};

function destination() {
  return { write: (_line: string) => undefined };
}

const KEYS = ['authorization', 'cookie', 'set-cookie', 'password', 'token', 'secret'];
const caseForms = (key: string) => [
  key,
  key.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase()),
  key.toUpperCase(),
];
const quoted = (key: string) => (key.includes('-') ? `["${key}"]` : `.${key}`);
const PINO_PATHS = KEYS.flatMap(caseForms).flatMap((key) => [
  key.includes('-') ? `["${key}"]` : key,
  `*${quoted(key)}`,
  `*.headers${quoted(key)}`,
]);

const LOWERCASE_PATHS_BEFORE = [
  ...['authorization', 'cookie', 'password', 'token', 'secret'].flatMap((key) => [key, `*.${key}`]),
  ...['*.headers', 'headers'].flatMap((at) => [`${at}.authorization`, `${at}.cookie`, `${at}["set-cookie"]`]),
];

function plainPino(redact?: string[] | 'walk'): Logger {
  return pino(
    {
      base: { pid: process.pid, hostname: hostname(), service_name: 'bench' },
      mixin: () => ({}),
      ...(redact === 'walk' ? { formatters: { log: redactCredentials } } : {}),
      ...(Array.isArray(redact) ? { redact: { paths: redact, censor: '[Redacted]' } } : {}),
    },
    destination(),
  );
}

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const IN_A_SPAN = trace.setSpanContext(context.active(), {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
});
const CREATE_LOGGER_IN_A_SPAN = 'createLogger, in a span';

const LOGGERS: Record<string, Logger> = {
  'pino, no redaction': plainPino(),
  'pino + redactCredentials': plainPino('walk'),
  'createLogger (+ trace mixin)': createLogger({ destination: destination() }),
  [CREATE_LOGGER_IN_A_SPAN]: createLogger({ destination: destination() }),
  'pino redact, 16 paths before': plainPino(LOWERCASE_PATHS_BEFORE),
  [`pino redact, ${PINO_PATHS.length} paths`]: plainPino(PINO_PATHS),
};

function nsPerLine(log: Logger, shape: () => [Record<string, unknown>, string]): number {
  const [fields, msg] = shape();
  const started = process.hrtime.bigint();
  for (let i = 0; i < LINES; i++) log.info(fields, msg);
  return Number(process.hrtime.bigint() - started) / LINES;
}

function nsPerLineOf(name: string, log: Logger, shape: () => [Record<string, unknown>, string]): number {
  return name === CREATE_LOGGER_IN_A_SPAN
    ? context.with(IN_A_SPAN, () => nsPerLine(log, shape))
    : nsPerLine(log, shape);
}

for (const [shapeName, shape] of Object.entries(SHAPES)) {
  const best: Record<string, number> = {};
  // Interleaved rounds, best of each: JIT warm-up and noise hit every logger alike.
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, log] of Object.entries(LOGGERS)) {
      best[name] = Math.min(best[name] ?? Infinity, nsPerLineOf(name, log, shape));
    }
  }
  const baseline = best['pino, no redaction'];
  console.log(`\n${shapeName}`);
  for (const [name, ns] of Object.entries(best)) {
    const extra = ns - baseline;
    console.log(
      `  ${name.padEnd(30)} ${ns.toFixed(0).padStart(6)} ns/line  ${extra >= 0 ? '+' : ''}${extra.toFixed(0)} ns (${((extra / baseline) * 100).toFixed(1)}%)`,
    );
  }
}
