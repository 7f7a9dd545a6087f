// Prometheus scrapes are not traffic wherever metricsMiddleware() is mounted: an express app
// that already owns /metrics serves the package's metrics on another path, and its scrapes
// must add no span and no RED series, not even the first one.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { forceFlush, metricsMiddleware, start } from '../src/index.ts';
import { metricValue } from './helpers/metrics-text.ts';

const exporter = new InMemorySpanExporter();
start({ spanExporter: exporter, serviceName: 'scrapes', env: { OTEL_LOGS_EXPORTER: 'none' } });
// Loaded after start(), as the register flag guarantees: express is instrumented.
const express = createRequire(import.meta.url)('express') as typeof import('express');

test('scrapes of metricsMiddleware() at a path of its own make no span and no RED series', async (t) => {
  const app = express();
  app.get('/metrics', (_request, response) => {
    response.send('the application’s own /metrics');
  });
  const internal = express.Router();
  internal.get('/prom', metricsMiddleware());
  app.use('/internal', internal);
  app.get('/orders', (_request, response) => {
    response.send('[]');
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const scrapes = 3;
  let scraped = '';
  await (await fetch(`${base}/orders`)).text();
  for (let i = 0; i < scrapes; i++) scraped = await (await fetch(`${base}/internal/prom?scrape=${i}`)).text();
  await forceFlush();

  const duration = 'http_server_request_duration_seconds_count';
  assert.equal(metricValue(scraped, duration, { http_route: '/orders' }), 1, 'the real request is counted');
  assert.equal(metricValue(scraped, duration, { http_route: '/internal/prom' }), undefined, 'no series for scrapes');
  const spans = exporter.getFinishedSpans();
  assert.ok(
    spans.some((span) => span.name === 'GET /orders'),
    'the real request is traced',
  );
  // The scraper's own fetch spans (CLIENT) aside, what the service made for the scrapes: of the
  // first one, at most the express layer spans (HOPSCOPE_EXPRESS_LAYER_SPANS=true) that ended
  // before the middleware recognised it.
  const scrapeSpans = spans.filter(
    (span) => span.kind !== SpanKind.CLIENT && `${span.name} ${JSON.stringify(span.attributes)}`.includes('/prom'),
  );
  assert.deepEqual(
    scrapeSpans.filter((span) => span.kind === SpanKind.SERVER).map((span) => span.name),
    [],
    `no server span of the ${scrapes} scrapes is exported`,
  );
  assert.ok(
    new Set(scrapeSpans.map((span) => span.spanContext().traceId)).size <= 1,
    `the scrapes after the first make no span at all: ${scrapeSpans.map((span) => span.name).join(', ')}`,
  );
});
