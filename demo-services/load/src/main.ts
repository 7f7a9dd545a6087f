// hopscope demo load generator: steady, mixed, synthetic traffic through the gateway.
//
//   GATEWAY_URL=http://127.0.0.1:28080 LOAD_RATE=2 LOAD_DURATION=5m node demo-services/load/src/main.ts
//
// Signs in as the gateway's `load-generator` user (POST /auth/token), then starts LOAD_RATE
// iterations per second for LOAD_DURATION, each one of: place an order (a fresh
// Idempotency-Key, 1-3 lines, now and then the scarce gold-teapot so that a saga compensates),
// read one of its orders, list its orders, cancel one (409 while pending is expected), or a
// deliberately bad request (~3%: no Idempotency-Key, quantity 0, unknown SKU; 400 expected).
// Requests carry no traceparent and no baggage: each is a trace root at the gateway, which
// marks it synthetic=true in its own baggage (tail sampling keeps a share of these).
// Bounded: at most 100/s and 24h, LOAD_MAX_IN_FLIGHT iterations at once; loopback only unless
// LOAD_ALLOW_REMOTE=1 (compose sets it for its `gateway` host). Exits 1 if the gateway cannot
// be reached or nothing it answered was expected; Ctrl-C stops early and still reports.
import { LoadConfigError, readLoadConfig } from './config.ts';
import { runLoad } from './load.ts';

const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());

try {
  const report = await runLoad(readLoadConfig(process.env), { signal: stop.signal });
  const sent = Object.values(report.byAction).reduce((n, a) => n + a.sent, 0);
  process.exitCode = sent > 0 && report.unexpected < sent ? 0 : 1;
} catch (error) {
  console.error(`[load] ${error instanceof LoadConfigError ? error.message : String(error)}`);
  process.exitCode = 1;
}
