// End to end on the real backends: the instrumented fixture services send traces and logs
// through the real collector; the test reads them back from Jaeger, Loki and Prometheus through
// their own query APIs, as Grafana and a user would.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIXTURE_SERVICE } from '../../stack/backends.ts';
import { eventually } from './helpers/eventually.ts';
import { jaegerTrace, lokiQuery, promExemplars, promQuery, spanKind, type JaegerTrace } from './helpers/backends.ts';
import { useStackWithShop } from './helpers/stack-with-shop.ts';

const { shop } = useStackWithShop();

/** The trace once Jaeger holds the spans of both services. */
function completeTrace(traceId: string): Promise<JaegerTrace> {
  return eventually(`trace ${traceId} in Jaeger`, async () => {
    const trace = await jaegerTrace(traceId);
    const services = new Set(Object.values(trace?.processes ?? {}).map((p) => p.serviceName));
    return services.has('stack-inventory') && services.has(FIXTURE_SERVICE) ? trace : undefined;
  });
}

const serviceOf = (trace: JaegerTrace, span: JaegerTrace['spans'][number]) =>
  trace.processes[span.processID]?.serviceName;
const parentOf = (span: JaegerTrace['spans'][number]) => span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;

test('Jaeger returns a slow trace by id: both services, the client → server edge, span kinds', async () => {
  const { status, traceId } = await shop().checkout('slow');
  assert.equal(status, 200);
  const trace = await completeTrace(traceId);

  const byId = new Map(trace.spans.map((span) => [span.spanID, span]));
  const roots = trace.spans.filter((span) => parentOf(span) === undefined);
  assert.equal(roots.length, 1, 'one root span');
  assert.equal(serviceOf(trace, roots[0]), FIXTURE_SERVICE);
  assert.equal(spanKind(roots[0]), 'server');

  const inventoryServer = trace.spans.find(
    (span) => serviceOf(trace, span) === 'stack-inventory' && spanKind(span) === 'server',
  );
  assert.ok(inventoryServer, 'the inventory has a server span');
  const caller = byId.get(parentOf(inventoryServer)!);
  assert.ok(caller, "the inventory's server span has its parent in the trace");
  assert.equal(serviceOf(trace, caller), FIXTURE_SERVICE);
  assert.equal(spanKind(caller), 'client', 'its parent is the gateway client span');
  // Every span but the root hangs off a span of the same trace.
  for (const span of trace.spans) {
    if (span !== roots[0]) assert.ok(byId.has(parentOf(span)!), `${span.operationName} has its parent`);
  }
});

test("tail sampling keeps a person's trace, the error trace and the slow trace, and samples synthetic load", async (t) => {
  const person = await shop().checkout('ok');
  const fast = [];
  for (let i = 0; i < 80; i++) fast.push((await shop().checkout('ok', true)).traceId);
  const error = await shop().checkout('error', true);
  assert.equal(error.status, 502);
  const slow = await shop().checkout('slow', true);

  const errorTrace = await completeTrace(error.traceId);
  assert.ok(
    errorTrace.spans.some((span) => span.tags.some((tag) => tag.key === 'otel.status_code' && tag.value === 'ERROR')),
    'the kept error trace has an ERROR span',
  );
  for (const span of errorTrace.spans) {
    const mark = span.tags.find((tag) => tag.key === 'synthetic')?.value;
    assert.equal(mark, 'true', `${span.operationName} of a load-generator trace is marked synthetic`);
  }
  await completeTrace(slow.traceId);
  const personTrace = await completeTrace(person.traceId);
  assert.ok(
    personTrace.spans.every((span) => !span.tags.some((tag) => tag.key === 'synthetic' && tag.value === 'true')),
    "a person's trace carries no synthetic mark",
  );

  // Decisions are taken in arrival order, so once the last two traces are in, the fast ones
  // sent before them have all been decided.
  let kept = 0;
  for (const traceId of fast) if (await jaegerTrace(traceId)) kept++;
  // 10% of synthetic traces is configured: 80 traces keep 8 on average (none kept: 1 chance in 4500); none or more
  // than half kept would mean the rest is not sampled as configured.
  t.diagnostic(`${kept} of 80 fast synthetic traces kept`);
  assert.ok(kept > 0 && kept <= 40, `${kept} of 80 fast synthetic traces kept`);
});

test("Loki returns the service's log lines for a trace id: service_name label, trace_id metadata", async () => {
  const { traceId } = await shop().checkout('error');
  const entries = await eventually(`log lines of ${traceId} in Loki`, async () => {
    const found = await lokiQuery(`{service_name="${FIXTURE_SERVICE}"} | trace_id="${traceId}"`);
    return found.length >= 2 ? found : undefined;
  });
  for (const entry of entries) {
    assert.equal(entry.stream['service_name'], FIXTURE_SERVICE, 'service_name is a stream label');
    assert.equal(entry.structuredMetadata['trace_id'], traceId, 'trace_id is structured metadata');
    assert.equal(entry.stream['trace_id'], undefined, 'trace_id is not a label (unbounded)');
  }
  const lines = entries.map((entry) => entry.line).join('\n');
  assert.match(lines, /checkout started/);
  assert.match(lines, /inventory failed/);
});

test("Prometheus has the service's request durations with an exemplar Jaeger resolves", async () => {
  await shop().checkout('error'); // an error trace is always kept, so its exemplar resolves
  const series = await eventually(
    'http_server_request_duration_seconds in Prometheus',
    async () => {
      const found = await promQuery(
        `http_server_request_duration_seconds_count{job="services", service_name="${FIXTURE_SERVICE}"}`,
      );
      return found.some((s) => s.metric['http_response_status_code'] === '502') ? found : undefined;
    },
    60_000,
  );
  assert.ok(series.some((s) => s.metric['http_route'] === '/checkout'));

  const resolved = await eventually(
    'an exemplar whose trace Jaeger returns',
    async () => {
      const exemplars = await promExemplars(`http_server_request_duration_seconds_bucket{job="services"}`);
      for (const exemplar of exemplars.flatMap((e) => e.exemplars)) {
        const traceId = exemplar.labels['trace_id'];
        if (traceId && (await jaegerTrace(traceId))) return traceId;
      }
      return undefined;
    },
    60_000,
  );
  assert.match(resolved, /^[0-9a-f]{32}$/);
});

test("Prometheus has the collector's span metrics for both services", async () => {
  const calls = await eventually('span metrics in Prometheus', async () => {
    const found = await promQuery('traces_span_metrics_calls_total');
    const services = new Set(found.map((s) => s.metric['service_name']));
    return services.has(FIXTURE_SERVICE) && services.has('stack-inventory') ? found : undefined;
  });
  assert.ok(calls.some((s) => s.metric['span_kind'] === 'SPAN_KIND_SERVER'));
  const durations = await promQuery(`traces_span_metrics_duration_seconds_count{service_name="${FIXTURE_SERVICE}"}`);
  assert.ok(durations.length > 0, 'span duration histogram');
});
