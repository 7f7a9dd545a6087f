// The package's pino logger, in process: trace correlation and redaction as a user sees them
// in the JSON lines. Spans come from the SDK's in-memory exporter.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { createLogger } from '../src/logs/logger.ts';
import { start } from '../src/start.ts';

start({ spanExporter: new InMemorySpanExporter(), serviceName: 'logger-test', env: { OTEL_LOGS_EXPORTER: 'none' } });

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

test('inside a span every line carries its trace_id, span_id and the service name', () => {
  const { lines, destination } = capture();
  const log = createLogger({ destination });
  const span = trace.getTracer('test').startActiveSpan('work', (active) => {
    log.info('inside');
    active.end();
    return active;
  });
  log.info('outside');
  assert.equal(lines[0]?.['trace_id'], span.spanContext().traceId);
  assert.equal(lines[0]?.['span_id'], span.spanContext().spanId);
  // The span's W3C flags as its traceparent carries them: sampled and random (a new trace).
  assert.equal(lines[0]?.['trace_flags'], '03');
  assert.equal(lines[0]?.['service_name'], 'logger-test');
  assert.equal(lines[1]?.['trace_id'], undefined, 'no trace fields outside a span');
  assert.equal(lines[1]?.['service_name'], 'logger-test');
});

test('credentials are redacted by default, and extra paths on request', () => {
  const { lines, destination } = capture();
  const log = createLogger({ destination, redact: ['card.number'] });
  log.info(
    {
      req: { headers: { authorization: 'Bearer s3cr3t', cookie: 'sid=1', accept: 'json' } },
      user: { password: 'hunter2', name: 'ada' },
      token: 't0k3n',
      card: { number: '4111111111111111' },
    },
    'login',
  );
  const text = JSON.stringify(lines[0]);
  for (const secret of ['s3cr3t', 'sid=1', 'hunter2', 't0k3n', '4111111111111111']) {
    assert.ok(!text.includes(secret), `${secret} must not be logged: ${text}`);
  }
  assert.ok(text.includes('"accept":"json"') && text.includes('"name":"ada"'), 'other fields are kept');
});
