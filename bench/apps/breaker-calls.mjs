// Calls through a circuit breaker, with and without hopscope's breaker telemetry
// (BENCH_TELEMETRY=1), each inside an active span as in a traced request. Reports calls/s.
import { trace } from '@opentelemetry/api';
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import CircuitBreaker from 'opossum';

const CALLS = Number(process.env.BENCH_CALLS ?? 200_000);
const withTelemetry = process.env.BENCH_TELEMETRY === '1';
const library = process.env.BENCH_LIBRARY;

const { start } = await import('@hopscope/instrumentation');
start({ serviceName: 'bench', env: { OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' } });
const { instrumentCockatielBreaker, instrumentOpossumBreaker } = await import('@hopscope/instrumentation/resilience');

const work = () => Promise.resolve(1);
let call;
if (library === 'cockatiel') {
  const policy = circuitBreaker(handleAll, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(5) });
  if (withTelemetry) instrumentCockatielBreaker(policy, { name: 'bench' });
  call = () => policy.execute(work);
} else {
  const breaker = new CircuitBreaker(work, { timeout: false });
  if (withTelemetry) instrumentOpossumBreaker(breaker, { name: 'bench' });
  call = () => breaker.fire();
}

const tracer = trace.getTracer('bench');
const run = async (n) => {
  for (let i = 0; i < n; i++) {
    await tracer.startActiveSpan('request', async (span) => {
      await call();
      span.end();
    });
  }
};
await run(CALLS / 10); // warm-up
const started = process.hrtime.bigint();
await run(CALLS);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.send?.({ callsPerSecond: CALLS / seconds });
process.disconnect?.();
