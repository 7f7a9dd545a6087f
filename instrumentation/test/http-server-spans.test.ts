// The SERVER span of an express service started with only the register flag: its stable
// semantic-convention attributes, its route (mount paths with parameters as patterns, kept when
// the handler fails), and the request's context where the application's code runs (a body
// parser's callback, a listener on the response).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { KIND, OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';
import { ServiceProcess } from './helpers/service-process.ts';

const receiver = new OtlpReceiver();
let service: ServiceProcess;
let baseUrl: string;

before(async () => {
  const otlp = await receiver.listen();
  service = new ServiceProcess('express-mounts.mjs', {
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
    OTEL_SERVICE_NAME: 'mounts',
  });
  baseUrl = await service.baseUrl();
});

after(async () => {
  await service.stop();
  await receiver.close();
});

async function serverSpanOf(path: string, init?: RequestInit, status = 200): Promise<ReceivedSpan> {
  const response = await fetch(`${baseUrl}${path}`, init);
  await response.arrayBuffer();
  assert.equal(response.status, status, path);
  const urlPath = path.split('?')[0];
  return receiver.waitFor(`the SERVER span of ${path}`, () =>
    receiver.spans.find((s) => s.kind === KIND.SERVER && s.attributes['url.path'] === urlPath),
  );
}

test('the SERVER span carries the stable HTTP attributes, credentials in the query redacted', async () => {
  const span = await serverSpanOf('/api/orders/7?sig=secret&page=2', {
    headers: { 'user-agent': 'hopscope-test', 'x-forwarded-for': '203.0.113.9, 10.0.0.1' },
  });
  const port = Number(new URL(baseUrl).port);
  assert.equal(span.name, 'GET /api/orders/:id');
  assert.deepEqual(
    Object.fromEntries(Object.entries(span.attributes).filter(([key]) => !key.startsWith('network.peer.port'))),
    {
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'url.path': '/api/orders/7',
      'url.query': 'sig=REDACTED&page=2',
      'network.protocol.version': '1.1',
      'network.peer.address': '127.0.0.1',
      'client.address': '203.0.113.9',
      'user_agent.original': 'hopscope-test',
      'server.address': '127.0.0.1',
      'server.port': port,
      'http.route': '/api/orders/:id',
      'http.response.status_code': 200,
    },
  );
  assert.equal(typeof span.attributes['network.peer.port'], 'number');
});

test('a router mounted on a path with parameters names the route with their names, not their values', async () => {
  const span = await serverSpanOf('/api/users/42/orders/9');
  assert.equal(span.name, 'GET /api/users/:userId/orders/:orderId');
  assert.equal(span.attributes['http.route'], '/api/users/:userId/orders/:orderId');
});

test('a handler that fails inside mounted routers keeps its full route; its error is on the span', async () => {
  const span = await serverSpanOf('/api/users/42/fails', undefined, 500);
  assert.equal(span.name, 'GET /api/users/:userId/fails');
  assert.equal(span.attributes['error.type'], '500');
  const exception = span.events.find((event) => event.name === 'exception');
  assert.equal(exception?.attributes['exception.message'], 'boom', 'the handler error, as an exception event');
  assert.match(String(exception?.attributes['exception.stacktrace']), /express-mounts\.mjs/);
});

test('a request no route matched has no route: its span is named after the method alone', async () => {
  const span = await serverSpanOf('/nowhere', undefined, 404);
  assert.equal(span.name, 'GET');
  assert.equal(span.attributes['http.route'], undefined);
});

/** POSTs a JSON body in two writes, the second after the server has started reading the first. */
async function postInTwoParts(path: string, traceparent: string): Promise<number> {
  const body = Buffer.from(JSON.stringify({ text: 'x'.repeat(20_000) }));
  const sent = request(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': body.length, traceparent },
    signal: AbortSignal.timeout(10_000),
  });
  const responded = new Promise<number>((resolve, reject) => {
    sent.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode!));
    });
    sent.on('error', reject);
  });
  sent.write(body.subarray(0, 100));
  await sleep(200);
  sent.end(body.subarray(100));
  return responded;
}

test('the handler after a body parser, and a listener on the response, run in the request context', async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  // The rest of the body arrives in later socket reads, outside the request's context.
  assert.equal(await postInTwoParts('/notes', `00-${traceId}-00f067aa0ba902b7-01`), 201);
  const notes = await receiver.waitFor('the SERVER span of /notes', () =>
    receiver.spans.find((s) => s.kind === KIND.SERVER && s.attributes['url.path'] === '/notes'),
  );
  assert.equal(notes.traceId, traceId, 'the caller trace continues');
  const received = await service.waitForLine('note received');
  assert.deepEqual([received['trace_id'], received['span_id']], [traceId, notes.spanId]);

  assert.equal(await postInTwoParts('/raw', `00-${traceId}-00f067aa0ba902b7-01`), 201);
  const raw = await receiver.waitFor('the SERVER span of /raw', () =>
    receiver.spans.find((s) => s.kind === KIND.SERVER && s.attributes['url.path'] === '/raw'),
  );
  const read = await service.waitForLine('raw body read');
  assert.deepEqual([read['trace_id'], read['span_id']], [traceId, raw.spanId], "the handler's own listeners");

  const finished = await serverSpanOf('/finished');
  const line = await service.waitForLine('response finished');
  assert.deepEqual([line['trace_id'], line['span_id']], [finished.traceId, finished.spanId]);
});
