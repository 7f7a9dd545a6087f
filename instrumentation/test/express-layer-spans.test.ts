// An express service started with only the register flag: by default a request is its SERVER
// span (named after the matched route, which also labels the RED metrics) and the spans of the
// calls it makes, with no INTERNAL span per express middleware, router or handler;
// HOPSCOPE_EXPRESS_LAYER_SPANS=true brings those layer spans back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KIND, OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';
import { ServiceProcess } from './helpers/service-process.ts';

const receiver = new OtlpReceiver();
// By their OTEL_SERVICE_NAME: the default, and layer spans turned on.
const services = new Map<'lean' | 'layered', ServiceProcess>();

before(async () => {
  const otlp = await receiver.listen();
  services.set(
    'lean',
    new ServiceProcess('express-routes.mjs', { OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_SERVICE_NAME: 'lean' }),
  );
  services.set(
    'layered',
    new ServiceProcess('express-routes.mjs', {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
      OTEL_SERVICE_NAME: 'layered',
      HOPSCOPE_EXPRESS_LAYER_SPANS: 'true',
    }),
  );
});

after(async () => {
  await Promise.all([...services.values()].map((service) => service.stop()));
  await receiver.close();
});

/** Sends the request and returns the spans of its trace once its SERVER span has arrived. */
async function traceOf(name: 'lean' | 'layered', path: string, status: number): Promise<ReceivedSpan[]> {
  const response = await fetch(`${await services.get(name)!.baseUrl()}${path}`);
  await response.arrayBuffer();
  assert.equal(response.status, status, path);
  const server = await receiver.waitFor(`the SERVER span of ${path}`, () =>
    receiver.spans.find((s) => s.service === name && s.kind === KIND.SERVER && s.attributes['url.path'] === path),
  );
  // Layer spans end no later than the response, in the same tick as the SERVER span at the
  // latest, so they are exported with it or before it.
  return receiver.spans.filter((s) => s.traceId === server.traceId);
}

function serverSpanShape(span: ReceivedSpan | undefined): Record<string, unknown> {
  return {
    name: span?.name,
    route: span?.attributes['http.route'],
    status: span?.attributes['http.response.status_code'],
    errorType: span?.attributes['error.type'],
  };
}

test('by default a request is its SERVER span, named after the route, with no express layer spans', async () => {
  const found = await traceOf('lean', '/orders/42', 200);
  assert.deepEqual(
    found.map((s) => [s.kind, s.name]),
    [[KIND.SERVER, 'GET /orders/:id']],
    'one span: the SERVER span (the middleware, router and handler make none)',
  );
  assert.deepEqual(serverSpanShape(found[0]), {
    name: 'GET /orders/:id',
    route: '/orders/:id',
    status: 200,
    errorType: undefined,
  });

  const failed = await traceOf('lean', '/fails', 500);
  assert.deepEqual(
    failed.map((s) => s.kind),
    [KIND.SERVER],
  );
  assert.deepEqual(serverSpanShape(failed[0]), { name: 'GET /fails', route: '/fails', status: 500, errorType: '500' });

  const metrics = await (await fetch(`${await services.get('lean')!.baseUrl()}/metrics`)).text();
  for (const [route, status] of [
    ['/orders/:id', '200'],
    ['/fails', '500'],
  ]) {
    assert.match(
      metrics,
      new RegExp(
        `http_server_request_duration_seconds_count\\{(?=[^}]*http_route="${route}")(?=[^}]*http_response_status_code="${status}")[^}]*\\} 1`,
      ),
      `the RED series of ${route}`,
    );
  }
});

test('HOPSCOPE_EXPRESS_LAYER_SPANS=true adds an INTERNAL span per middleware, router and handler', async () => {
  const found = await traceOf('layered', '/orders/42', 200);
  const server = found.find((s) => s.kind === KIND.SERVER);
  assert.deepEqual(serverSpanShape(server), {
    name: 'GET /orders/:id',
    route: '/orders/:id',
    status: 200,
    errorType: undefined,
  });
  const layers = found.filter((s) => s.kind === KIND.INTERNAL);
  assert.deepEqual(
    new Set(layers.map((s) => s.attributes['express.type'])),
    new Set(['middleware', 'router', 'request_handler']),
    `layer spans: ${layers.map((s) => s.name).join(', ')}`,
  );
  for (const layer of layers)
    assert.equal(layer.parentSpanId, server!.spanId, `${layer.name} is a child of the request`);
  assert.ok(
    layers.some((s) => s.name === 'middleware - jsonParser'),
    'the express.json() middleware has its span',
  );

  const failed = await traceOf('layered', '/fails', 500);
  assert.deepEqual(serverSpanShape(failed.find((s) => s.kind === KIND.SERVER)), {
    name: 'GET /fails',
    route: '/fails',
    status: 500,
    errorType: '500',
  });
  assert.ok(
    failed.some((s) => s.kind === KIND.INTERNAL && s.attributes['express.type'] === 'request_handler'),
    'the throwing handler has its span',
  );
});
