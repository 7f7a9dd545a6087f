// The chaos checks against the real backends: the instrumented fixture services send their
// telemetry through the real collector, and each kind of check (PromQL, Jaeger, LogQL) is
// asked about it as a scenario's hypothesis would ask, holding and not holding.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CheckContext, Observation } from '../../chaos/src/checks/context.ts';
import { evaluateJaeger, fetchTrace } from '../../chaos/src/checks/jaeger.ts';
import { evaluateLogQL } from '../../chaos/src/checks/loki.ts';
import { evaluatePromQL, fetchSeries } from '../../chaos/src/checks/prometheus.ts';
import { FIXTURE_SERVICE } from '../../stack/backends.ts';
import { URLS } from '../../stack/ports.ts';
import { eventually } from './helpers/eventually.ts';
import { useStackWithShop } from './helpers/stack-with-shop.ts';

const { shop } = useStackWithShop();

const ctx: CheckContext = {
  prometheus: URLS.prometheus,
  jaeger: URLS.jaeger,
  loki: URLS.loki,
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres', // no invariant here
  namespace: 'stack',
  windowStart: Date.now(),
};

/** Polls a check until it holds, as the runner does within a check's deadline; on timeout, says what it saw last. */
function untilHolds(what: string, check: () => Promise<Observation>, timeoutMs = 60_000): Promise<Observation> {
  return eventually(
    what,
    async () => {
      const seen = await check();
      if (!seen.holds) throw new Error(`last seen: ${seen.observed}`);
      return seen;
    },
    timeoutMs,
  );
}

const REQUESTS = `sum(http_server_request_duration_seconds_count{job="services", service_name="${FIXTURE_SERVICE}"})`;

test('PromQL: a check that holds, one that does not, no sample, and a query Prometheus refuses', async () => {
  await shop().checkout('ok');
  const held = await untilHolds('the request count in Prometheus', () => evaluatePromQL(REQUESTS, '> 0', ctx));
  assert.match(held.observed, /^1 sample: [1-9]\d*$/);

  const failed = await evaluatePromQL(REQUESTS, '< 0', ctx);
  assert.equal(failed.holds, false);
  assert.match(failed.observed, /^1 sample: [1-9]\d*, not < 0$/);

  assert.deepEqual(await evaluatePromQL('hopscope_no_such_series_total', '== 0', ctx), {
    holds: false,
    observed: 'no sample',
  });

  const refused = await evaluatePromQL('sum(rate(http_server_request_duration_seconds_count[1m])', '> 0', ctx);
  assert.equal(refused.holds, false);
  assert.match(refused.observed, /^Prometheus: HTTP 400: .*parse error/);
});

test('PromQL: the series of a run come back for the report, one line per label set', async () => {
  await untilHolds('the request count in Prometheus', () => evaluatePromQL(REQUESTS, '> 0', ctx));
  // A range's last step may fall before the first scrape the instant query saw: wait for it.
  const lines = await eventually('the series over the window', async () => {
    const found = await fetchSeries(URLS.prometheus, REQUESTS, ctx.windowStart, Date.now(), 5);
    return found.length > 0 ? found : undefined;
  });
  assert.equal(lines.length, 1);
  assert.ok(lines[0].points.length > 0, 'points');
  for (const [time, value] of lines[0].points) {
    assert.ok(time * 1000 >= ctx.windowStart - 5000 && time * 1000 <= Date.now(), `${time} in the window`);
    assert.ok(value >= 1, `${value} requests`);
  }
  await assert.rejects(fetchSeries(URLS.prometheus, 'sum(', ctx.windowStart, Date.now(), 5), /parse error/);
});

test('Jaeger: the error trace is found by its spans, and fetched with every parent', async () => {
  const { status, traceId } = await shop().checkout('error');
  assert.equal(status, 502);
  const spec = {
    service: FIXTURE_SERVICE,
    tags: { error: 'true' },
    spans: [
      { service: 'stack-inventory', error: true },
      { service: FIXTURE_SERVICE, operation: 'GET *' },
    ],
  };
  const found = await untilHolds(`trace ${traceId} in Jaeger`, async () => {
    const seen = await evaluateJaeger(spec, ctx);
    return seen.traceId === traceId ? seen : { ...seen, holds: false, observed: `${seen.observed} (${seen.traceId})` };
  });
  assert.match(found.observed, new RegExp(`^trace ${traceId.slice(0, 12)}…: \\d+ spans in 2 services, errors? in `));
  assert.match(found.observed, /stack-inventory/);

  const trace = await fetchTrace(URLS.jaeger, traceId);
  assert.equal(trace.traceId, traceId);
  const ids = new Set(trace.spans.map((span) => span.spanId));
  const roots = trace.spans.filter((span) => span.parentSpanId === undefined);
  assert.equal(roots.length, 1, 'one root span');
  assert.equal(roots[0].service, FIXTURE_SERVICE);
  for (const span of trace.spans) {
    if (span !== roots[0]) assert.ok(ids.has(span.parentSpanId!), `${span.operation} has its parent in the trace`);
  }
  assert.ok(
    trace.spans.some((span) => span.service === 'stack-inventory' && span.error),
    'the inventory span failed',
  );
  assert.deepEqual(
    trace.spans.map((span) => span.startUs),
    trace.spans.map((span) => span.startUs).sort((a, b) => a - b),
    'oldest first',
  );

  const lacking = await evaluateJaeger(
    { ...spec, spans: [{ service: FIXTURE_SERVICE, operation: 'no-such-span' }] },
    ctx,
  );
  assert.equal(lacking.holds, false);
  assert.match(
    lacking.observed,
    /none with every span: the closest \(\w+…\) lacks a span of stack-gateway named no-such-span$/,
  );
  await assert.rejects(
    fetchTrace(URLS.jaeger, '0123456789abcdef0123456789abcdef'),
    /Jaeger trace 0123456789abcdef0123456789abcdef/,
  );
});

test('LogQL: the error line is counted with its trace id; a line outside any trace fails traceId', async () => {
  const { traceId } = await shop().checkout('error');
  const found = await untilHolds(`the log line of ${traceId} in Loki`, async () => {
    const seen = await evaluateLogQL(
      `{service_name="${FIXTURE_SERVICE}"} |= "inventory failed"`,
      { lines: '> 0', traceId: true },
      ctx,
    );
    return seen.traceId === traceId ? seen : { ...seen, holds: false };
  });
  assert.match(found.observed, /^\d+ lines?, all with a trace id, newest trace /);

  // "listening" is logged at startup, outside any request: no trace id.
  const listening = `{service_name="${FIXTURE_SERVICE}"} |= "listening"`;
  await untilHolds('the startup line in Loki', () => evaluateLogQL(listening, { lines: '== 1' }, ctx));
  const untraced = await evaluateLogQL(listening, { traceId: true }, ctx);
  assert.equal(untraced.holds, false);
  assert.match(untraced.observed, /^1 line, 1 without a trace id, e\.g\. ".*listening/);

  const refused = await evaluateLogQL('{service_name=', undefined, ctx);
  assert.equal(refused.holds, false);
  assert.match(refused.observed, /^Loki: HTTP 400: .*parse error/);
});
