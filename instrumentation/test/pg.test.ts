// pg queries inside a traced operation become CLIENT spans, against the real PostgreSQL.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import type * as Pg from 'pg';
import { forceFlush, start } from '../src/start.ts';
import { DATABASE_URL } from './helpers/test-services.ts';

const exporter = new InMemorySpanExporter();
start({ spanExporter: exporter, serviceName: 'pg-test', env: { OTEL_LOGS_EXPORTER: 'none' } });
// Loaded after start(), as the register flag guarantees for an application.
const { Client } = createRequire(import.meta.url)('pg') as typeof Pg;

test('a query inside a span is its CLIENT child, with the statement', async (t) => {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  t.after(() => client.end());
  const parent = await trace.getTracer('test').startActiveSpan('place order', async (span) => {
    await client.query('SELECT $1::int AS answer', [42]);
    span.end();
    return span;
  });
  await forceFlush();
  const query = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CLIENT);
  assert.ok(query, 'a CLIENT span for the query');
  assert.equal(query.parentSpanContext?.spanId, parent.spanContext().spanId);
  assert.equal(query.spanContext().traceId, parent.spanContext().traceId);
  const statement = query.attributes['db.query.text'] ?? query.attributes['db.statement'];
  assert.equal(statement, 'SELECT $1::int AS answer');
});
