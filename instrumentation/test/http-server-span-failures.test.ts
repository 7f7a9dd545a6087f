// Telemetry never fails a request: when the SERVER span cannot be started or ended (here, a
// tracer that throws), the request is still served and the process keeps running.
import { type Span, type Tracer, type TracerProvider, trace } from '@opentelemetry/api';
import assert from 'node:assert/strict';
import type * as Http from 'node:http';
import { createRequire } from 'node:module';
import { after, test } from 'node:test';
import { HttpServerInstrumentation } from '../src/http-server-instrumentation.ts';

function providerOf(tracer: Partial<Tracer>): TracerProvider {
  return { getTracer: () => tracer as Tracer };
}

const instrumentation = new HttpServerInstrumentation();
instrumentation.setTracerProvider(providerOf(trace.getTracer('unused')));
instrumentation.enable();
// Required after enable(): the instrumentation patches node:http when it is required.
const http = createRequire(import.meta.url)('node:http') as typeof Http;
after(() => instrumentation.disable());

async function statusFrom(server: Http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${port}/orders/1`);
    await response.arrayBuffer();
    return response.status;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

test('a tracer that throws when the span starts: the request is served, untraced', async () => {
  instrumentation.setTracerProvider(
    providerOf({
      startSpan: () => {
        throw new Error('tracer down');
      },
    }),
  );
  const server = http.createServer((_request, response) => response.end('ok'));
  assert.equal(await statusFrom(server), 200);
});

test('a span that throws when it ends: the request is served and the process goes on', async () => {
  const throwing = {
    spanContext: () => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }),
    isRecording: () => true,
    setAttributes: () => {
      throw new Error('span broken');
    },
  } as unknown as Span;
  instrumentation.setTracerProvider(providerOf({ startSpan: () => throwing }));
  const server = http.createServer((_request, response) => response.end('ok'));
  assert.equal(await statusFrom(server), 200);
  assert.equal(await statusFrom(http.createServer((_request, response) => response.end('again'))), 200);
});
