// The http/protobuf span exporter sends what a collector can decode, to its URL with its
// headers, export after export (each body's buffer serves a later export once it is done), and
// reports a collector's refusal as a failed export.
import assert from 'node:assert/strict';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { type ReadableSpan, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { decodeTraceRequest } from './helpers/otlp-proto.ts';
import { OtlpProtoTraceExporter } from '../src/traces/otlp-proto-trace-exporter.ts';

interface Received {
  path: string | undefined;
  contentType: string | undefined;
  token: string | undefined;
  spanNames: string[];
}

function spans(prefix: string, count: number): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const collect: SpanProcessor = {
    onStart: () => undefined,
    onEnd: (span) => void ended.push(span),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const tracer = new TracerProvider({ spanProcessors: [collect] }).getTracer('test');
  for (let i = 0; i < count; i++) {
    // Some 300 bytes a span: a batch's body is several buffers' worth of growing.
    tracer
      .startSpan(`${prefix} ${i}`, {
        kind: SpanKind.SERVER,
        attributes: { 'url.path': `/${prefix}/${'x'.repeat(250)}` },
      })
      .end();
  }
  return ended;
}

function names(body: Buffer): string[] {
  const request = decodeTraceRequest(body) as {
    resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }>;
  };
  return request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => span.name)));
}

async function collector(t: test.TestContext, answer: (request: IncomingMessage, response: ServerResponse) => void) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url,
        contentType: request.headers['content-type'],
        token: request.headers['x-token'] as string | undefined,
        spanNames: names(Buffer.concat(chunks)),
      });
      answer(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  return { received, url };
}

function exported(exporter: OtlpProtoTraceExporter, batch: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(batch, resolve));
}

test('each export reaches the collector as its own spans, in protobuf, with the configured headers', async (t) => {
  const { received, url } = await collector(t, (_request, response) =>
    response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(),
  );
  const exporter = new OtlpProtoTraceExporter({ url, headers: { 'x-token': 'secret' }, concurrencyLimit: 2 });
  t.after(() => exporter.shutdown());

  const batches = [spans('first', 600), spans('second', 5), spans('third', 600), spans('fourth', 1)];
  // Two at a time, as the concurrency limit allows, then the rest in the buffers they freed.
  const results = await Promise.all([exported(exporter, batches[0]), exported(exporter, batches[1])]);
  results.push(await exported(exporter, batches[2]), await exported(exporter, batches[3]));

  assert.deepStrictEqual(
    results.map((r) => r.code),
    [ExportResultCode.SUCCESS, ExportResultCode.SUCCESS, ExportResultCode.SUCCESS, ExportResultCode.SUCCESS],
  );
  assert.deepStrictEqual(
    received.map((r) => [r.path, r.contentType, r.token]),
    Array(4).fill(['/v1/traces', 'application/x-protobuf', 'secret']),
  );
  assert.deepStrictEqual(
    received.map((r) => r.spanNames).sort((a, b) => a[0].localeCompare(b[0])),
    batches.map((batch) => batch.map((span) => span.name)).sort((a, b) => a[0].localeCompare(b[0])),
  );
});

test('a collector refusing an export fails that export only; the next one is sent whole', async (t) => {
  let refuse = true;
  const { received, url } = await collector(t, (_request, response) => {
    response.writeHead(refuse ? 400 : 200, { 'content-type': 'application/x-protobuf' }).end();
    refuse = false;
  });
  const exporter = new OtlpProtoTraceExporter({ url });
  t.after(() => exporter.shutdown());

  const refused = await exported(exporter, spans('refused', 300));
  const accepted = await exported(exporter, spans('accepted', 2));

  assert.equal(refused.code, ExportResultCode.FAILED);
  assert.equal(accepted.code, ExportResultCode.SUCCESS);
  assert.deepStrictEqual(received.at(-1)?.spanNames, ['accepted 0', 'accepted 1']);
});
