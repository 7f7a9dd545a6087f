// The load generator, run in its own process (pinned to its own core by bench/load.ts):
// autocannon against one URL with BENCH_CONNECTIONS connections, for BENCH_DURATION seconds
// or BENCH_AMOUNT requests. Prints one JSON line: requests/s and the p99 latency computed here
// from every 2xx response's time — autocannon's own histogram keeps whole milliseconds, too
// coarse when a bare request takes 2–3 ms under load.
import autocannon from 'autocannon';

const amount = Number(process.env.BENCH_AMOUNT ?? 0);
const latencies = [];
const instance = autocannon({
  url: process.env.BENCH_URL,
  connections: Number(process.env.BENCH_CONNECTIONS),
  ...(amount > 0 ? { amount } : { duration: Number(process.env.BENCH_DURATION) }),
});
instance.on('response', (_client, statusCode, _bytes, milliseconds) => {
  if (statusCode >= 200 && statusCode < 300) latencies.push(milliseconds);
});
const result = await instance;
latencies.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    requestsPerSecond: latencies.length / result.duration,
    p99Ms: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? NaN,
    failed: result.errors + result.timeouts + result.non2xx,
  })}\n`,
);
