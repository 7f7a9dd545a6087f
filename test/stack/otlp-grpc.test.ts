// OTEL_EXPORTER_OTLP_PROTOCOL=grpc against the real collector: a service pointed at the
// collector's OTLP/gRPC port (no /v1 path, as the spec has it for gRPC) gets its spans into
// Jaeger and its log lines into Loki. Nothing listens for OTLP/HTTP on that port, so a span
// or line that arrives came over gRPC.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { HOST, PORTS } from '../../stack/ports.ts';
import { Stack } from '../../stack/runner.ts';
import { jaegerTrace, lokiQuery, spanKind } from './helpers/backends.ts';
import { eventually } from './helpers/eventually.ts';
import { ServiceProcess } from '../../instrumentation/test/helpers/service-process.ts';

const SERVICE = 'otlp-grpc-inventory';

let stack: Stack | undefined;
let service: ServiceProcess | undefined;

before(async () => {
  stack = await Stack.start();
  service = new ServiceProcess(new URL('./fixtures/shop.ts', import.meta.url), {
    SHOP_ROLE: 'inventory',
    OTEL_SERVICE_NAME: SERVICE,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${HOST}:${PORTS.collectorOtlpGrpc}`,
  });
});

after(async () => {
  await service?.stop();
  await stack?.stop();
});

test('OTEL_EXPORTER_OTLP_PROTOCOL=grpc: the span reaches Jaeger and the log line Loki through the collector', async () => {
  // Once the service listens, its startup line has been written.
  const baseUrl = await service!.baseUrl();
  const startup = service!.stderr.find((line) => line.includes('hopscope telemetry'));
  assert.match(startup ?? '', new RegExp(`"traces":"http://${HOST}:${PORTS.collectorOtlpGrpc} \\(grpc\\)"`));
  // The test's own trace id, carried in by traceparent; slow, so tail sampling keeps the trace.
  const traceId = randomBytes(16).toString('hex');
  const response = await fetch(`${baseUrl}/stock?mode=slow`, {
    headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
  });
  assert.equal(response.status, 200);

  const trace = await eventually(`trace ${traceId} in Jaeger`, () => jaegerTrace(traceId));
  const server = trace.spans.find((span) => spanKind(span) === 'server');
  assert.ok(server, 'the request span');
  assert.equal(trace.processes[server.processID]?.serviceName, SERVICE);

  const entries = await eventually(`log lines of ${traceId} in Loki`, async () => {
    const found = await lokiQuery(`{service_name="${SERVICE}"} | trace_id="${traceId}"`);
    return found.length > 0 ? found : undefined;
  });
  assert.match(entries.map((entry) => entry.line).join('\n'), /stock checked/);
});
