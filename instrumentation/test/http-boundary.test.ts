// The edge helpers, in a service started with only the register flag: every response carries
// a traceresponse naming its SERVER span; inbound baggage stops at the boundary; the entries
// the boundary sets travel downstream and, for keys in HOPSCOPE_BAGGAGE_SPAN_ATTRIBUTES, land
// on every span of the trace.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KIND, OtlpReceiver } from './helpers/otlp-receiver.ts';
import { ServiceProcess } from './helpers/service-process.ts';

const receiver = new OtlpReceiver();
let edge: ServiceProcess;
let url: string;

before(async () => {
  const otlp = await receiver.listen();
  edge = new ServiceProcess('edge-gateway.mjs', {
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
    OTEL_SERVICE_NAME: 'edge',
    HOPSCOPE_BAGGAGE_SPAN_ATTRIBUTES: 'synthetic',
  });
  url = `http://127.0.0.1:${String((await edge.waitForLine('listening'))['port'])}`;
});

after(async () => {
  await edge?.stop();
  await receiver.close();
});

const TRACERESPONSE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[0-3])$/;

test('traceresponse names the SERVER span of the request, also on an error response', async () => {
  for (const path of ['/front', '/fails', '/no-such-route']) {
    const response = await fetch(`${url}${path}`);
    await response.arrayBuffer();
    const header = response.headers.get('traceresponse') ?? '';
    const match = TRACERESPONSE.exec(header);
    assert.ok(match, `${path}: traceresponse ${JSON.stringify(header)}`);
    const [, traceId, spanId, flags] = match;
    // The edge starts these traces with an id it drew at random: sampled and random (Level 2).
    assert.equal(flags, '03', `${path}: traceresponse ${header}`);
    const span = await receiver.waitFor(`the span of ${path}`, () =>
      receiver.spans.find((s) => s.traceId === traceId && s.spanId === spanId),
    );
    assert.equal(span.kind, KIND.SERVER, `${path}: ${span.name} is not the SERVER span`);
    assert.equal(span.parentSpanId || undefined, undefined);
  }
});

test('inbound baggage is dropped at the boundary; its own entries travel on', async () => {
  const outside = await fetch(`${url}/front`, { headers: { baggage: 'synthetic=false,user.role=admin' } });
  assert.deepEqual(await outside.json(), { baggage: null });

  const marked = await fetch(`${url}/front?synthetic=1`, { headers: { baggage: 'user.role=admin' } });
  assert.deepEqual(await marked.json(), { baggage: 'synthetic=true' });
});

test('a caller cannot mark its own request: its baggage key on the SERVER span is overwritten', async () => {
  const response = await fetch(`${url}/front`, { headers: { baggage: 'synthetic=true' } });
  await response.arrayBuffer();
  const [, traceId, spanId] = TRACERESPONSE.exec(response.headers.get('traceresponse') ?? '')!;
  const server = await receiver.waitFor('the SERVER span', () =>
    receiver.spans.find((s) => s.traceId === traceId && s.spanId === spanId),
  );
  assert.equal(server.attributes['synthetic'], '');
  // The HTTP spans downstream of the boundary carry only what the boundary set (nothing here).
  await receiver.waitFor('the downstream SERVER span', () =>
    receiver.spans.find((s) => s.traceId === traceId && s.kind === KIND.SERVER && s.spanId !== spanId),
  );
  const marked = receiver.spans.filter(
    (s) => s.traceId === traceId && s.kind !== KIND.INTERNAL && s.attributes['synthetic'] === 'true',
  );
  assert.deepEqual(
    marked.map((s) => s.name),
    [],
  );
});

test('a baggage key listed in HOPSCOPE_BAGGAGE_SPAN_ATTRIBUTES is on every span of the trace', async () => {
  const response = await fetch(`${url}/front?synthetic=1`);
  await response.arrayBuffer();
  const traceId = TRACERESPONSE.exec(response.headers.get('traceresponse') ?? '')![1];
  // The gateway's server span, its fetch, and the downstream /echo server span.
  const spans = await receiver.waitFor('the three HTTP spans of the trace', () => {
    const found = receiver.spans.filter((s) => s.traceId === traceId && s.kind !== KIND.INTERNAL);
    return found.length >= 3 && found;
  });
  for (const span of spans) assert.equal(span.attributes['synthetic'], 'true', `${span.name} lacks synthetic`);
});
