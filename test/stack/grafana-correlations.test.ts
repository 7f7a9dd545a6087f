// Every correlation Grafana is provisioned with (grafana/provisioning/datasources/hopscope.yaml)
// leads to data, followed against the demo's real Prometheus, Loki and Jaeger as Grafana follows
// it: a Prometheus exemplar's trace_id opens a trace in Jaeger, the Loki derived field finds a
// trace id on a real line and that trace exists, and a real trace's span links to its lines in
// Loki and to request rate, errors and latency in Prometheus.
import assert from 'node:assert/strict';
import test from 'node:test';
import { useDemo } from './helpers/demo.ts';
import { eventually } from './helpers/eventually.ts';
import {
  type CorrelationBackends,
  type JaegerTrace,
  exemplarToTrace,
  logLineToTrace,
  traceToLogs,
  traceToMetrics,
} from './helpers/grafana-correlations.ts';
import { ShopClient } from './helpers/shop-client.ts';

const { system } = useDemo();

function backends(): CorrelationBackends {
  const { prometheus, loki, jaeger } = system().endpoints();
  return { prometheus, loki, jaeger };
}

/** Jaeger answers trace ids without leading zeros on some paths; compare the numbers. */
const sameTraceId = (a: string, b: string) => BigInt(`0x${a}`) === BigInt(`0x${b}`);

/** A person's orders: the collector keeps every such trace (tail sampling's `people` policy). */
let personsTrace: JaegerTrace | undefined;

test('orders placed by a person: traces, logs and exemplars to follow', async () => {
  const alice = await ShopClient.signIn(system().endpoints().gateway, 'alice');
  const orders = [];
  for (let i = 0; i < 5; i++) {
    const placed = await alice.placeOrder([{ sku: 'espresso-beans', quantity: 1 }]);
    assert.equal(placed.status, 202, JSON.stringify(placed.body));
    orders.push(placed);
  }
  for (const { body } of orders) await alice.waitForStatus(body.orderId, ['confirmed', 'cancelled', 'failed'], 90_000);
  const traceId = orders[0].traceId;
  assert.ok(traceId, 'the gateway names the trace in traceresponse');
  const { jaeger } = backends();
  personsTrace = await eventually(
    `trace ${traceId} in Jaeger`,
    async () => {
      const response = await fetch(`${jaeger}/api/traces/${traceId}`, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) return undefined;
      const trace = ((await response.json()) as { data: JaegerTrace[] }).data[0];
      // Enough of the saga to have logged in several services.
      return trace && new Set(trace.spans.map((s) => trace.processes[s.processID].serviceName)).size >= 3
        ? trace
        : undefined;
    },
    90_000,
  );
});

test('a Prometheus exemplar of http_server_request_duration_seconds: its trace_id opens a trace in Jaeger', async () => {
  const link = await eventually(
    'an exemplar whose trace Jaeger holds',
    () => exemplarToTrace(backends()),
    // Scrapes every 15 s; exemplars reach Prometheus with the scrape after the request.
    90_000,
  );
  assert.equal(link.label, 'trace_id');
  assert.ok(sameTraceId(link.trace.traceID, link.traceId), `${link.trace.traceID} is ${link.traceId}`);
  assert.ok(link.trace.spans.length > 0);
});

test('the Loki derived field: a real line yields a trace id, and Jaeger holds that trace', async () => {
  const link = await eventually(
    'a log line whose derived trace id Jaeger holds',
    () => logLineToTrace(backends()),
    90_000,
  );
  assert.match(link.traceId, /^[0-9a-f]{32}$/);
  assert.ok(sameTraceId(link.trace.traceID, link.traceId));
  // The field reads the trace_id structured metadata: the same id Loki filters on.
  assert.equal(link.line.structuredMetadata['trace_id'], link.traceId);
});

test('traces to logs: a real span, its trace id substituted, returns the trace’s lines from Loki', async () => {
  assert.ok(personsTrace, 'the orders test found a trace');
  const trace = personsTrace;
  const link = await eventually(
    'lines in Loki for the trace-to-logs query',
    async () => {
      const result = await traceToLogs(backends(), trace);
      return result.lines.length > 0 ? result : undefined;
    },
    60_000,
  );
  assert.match(link.query, new RegExp(`trace_id="${trace.traceID}"`));
  for (const line of link.lines) assert.equal(line.structuredMetadata['trace_id'], trace.traceID, line.line);
  const services = new Set(link.lines.map((line) => line.stream['service_name']));
  assert.ok(services.size >= 2, `lines of the saga's services: ${[...services].join(', ')}`);
});

test('traces to metrics: every linked query for a real span returns series from Prometheus', async () => {
  assert.ok(personsTrace, 'the orders test found a trace');
  const trace = personsTrace;
  const links = await eventually(
    'series for the root span’s request rate and latency',
    async () => {
      const result = await traceToMetrics(backends(), trace);
      // The error query has data only once some call of this operation failed.
      const needed = result.filter((link) => !/error/i.test(link.name));
      return needed.every((link) => link.series > 0) ? result : undefined;
    },
    // Span metrics are flushed every 15 s, then pushed to Prometheus.
    90_000,
  );
  assert.ok(links.length >= 2, links.map((l) => `${l.name}: ${l.query}`).join('\n'));
});
