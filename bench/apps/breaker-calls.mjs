// Calls through two circuit breakers of one library (BENCH_LIBRARY) in one process, one with
// hopscope's breaker telemetry and one without, each call inside an active span as in a traced
// request. Separate processes per variant differ by more than the telemetry costs (JIT, core,
// heap placement), so the two run side by side: BENCH_CALLS calls each, in alternating short
// blocks (a change in the machine's load hits both of a pair alike), the order flipped every
// pair (off-on, on-off) so neither always runs right after the other. Reports the median µs per
// call of each, and the median of the pairs' differences.
import { trace } from '@opentelemetry/api';
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import CircuitBreaker from 'opossum';

const CALLS = Number(process.env.BENCH_CALLS ?? 200_000);
const BLOCK = 2000;
const PAIRS = Math.max(1, Math.round(CALLS / BLOCK));
const library = process.env.BENCH_LIBRARY;

const { start } = await import('@hopscope/instrumentation');
start({ serviceName: 'bench', env: { OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' } });
const { instrumentCockatielBreaker, instrumentOpossumBreaker } = await import('@hopscope/instrumentation/resilience');

const work = () => Promise.resolve(1);

/** A call through a fresh breaker, instrumented or not. */
function breakerCall(instrumented) {
  if (library === 'cockatiel') {
    const policy = circuitBreaker(handleAll, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(5) });
    if (instrumented) instrumentCockatielBreaker(policy, { name: 'bench' });
    return () => policy.execute(work);
  }
  if (library === 'opossum') {
    const breaker = new CircuitBreaker(work, { timeout: false });
    if (instrumented) instrumentOpossumBreaker(breaker, { name: 'bench' });
    return () => breaker.fire();
  }
  throw new Error(`BENCH_LIBRARY=${JSON.stringify(library)} is neither cockatiel nor opossum`);
}

const off = breakerCall(false);
const on = breakerCall(true);
const tracer = trace.getTracer('bench');

/**
 * CPU µs per call over `n` calls, each in its own active span. CPU time of the whole process (GC
 * threads included), not wall time: on a busy machine a block that loses its core for a
 * scheduler slice would otherwise count the wait as the call's.
 */
async function block(call, n) {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    await tracer.startActiveSpan('request', async (span) => {
      await call();
      span.end();
    });
  }
  const { user, system } = process.cpuUsage(before);
  return (user + system) / n;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

// Warm-up: both paths optimized before anything is measured.
for (let i = 0; i < 10; i++) {
  await block(off, BLOCK);
  await block(on, BLOCK);
}
const offMicros = [];
const onMicros = [];
for (let pair = 0; pair < PAIRS; pair++) {
  if (pair % 2 === 0) {
    offMicros.push(await block(off, BLOCK));
    onMicros.push(await block(on, BLOCK));
  } else {
    onMicros.push(await block(on, BLOCK));
    offMicros.push(await block(off, BLOCK));
  }
}
process.send?.({
  breakerCalls: {
    offMicros: median(offMicros),
    onMicros: median(onMicros),
    addedMicros: median(onMicros.map((micros, pair) => micros - offMicros[pair])),
  },
});
process.disconnect?.();
