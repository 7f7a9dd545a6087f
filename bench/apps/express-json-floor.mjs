// The floor stage: express-json.mjs's endpoint with the full stage's telemetry written by hand
// for this one endpoint, with nothing general, as a lower bound on what that telemetry costs on
// this machine: a SERVER span per request held in an AsyncLocalStorage, with the package's
// attributes; its ids on the log line (pino mixin); the RED histogram observation with the span
// as exemplar (bucket counts kept by hand); the span encoded as OTLP/protobuf when the response
// finishes (attribute keys encoded once) and posted 512 at a time; log lines shipped as the
// package ships them (batched for 20 ms, then parsed and encoded in pino's worker thread,
// floor-log-transport.mjs). No propagation, sampler, span processors, attribute checks, metrics
// endpoint or error handling: not a product, a yardstick.
import express from 'express';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import pino from 'pino';
import { SpanBatches, beginSpan, encodedKey, keyValue, posted, randomHex } from './floor-otlp.mjs';

const SERVICE = process.env.OTEL_SERVICE_NAME ?? 'bench';
const ENDPOINT = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

// A span: its ids and its start.
function startSpan() {
  return { traceId: randomHex(16), spanId: randomHex(8), start: performance.timeOrigin + performance.now() };
}

// The RED histogram (http.server.request.duration): per method, route and status, its bucket
// counts, sum, and each bucket's latest exemplar, which is what a scrape reads.
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const durations = new Map();
function observeDuration(method, route, status, seconds, span) {
  const key = `${method} ${route} ${status}`;
  let series = durations.get(key);
  if (!series) {
    series = { counts: new Float64Array(BOUNDS.length + 1), sum: 0, exemplars: [] };
    durations.set(key, series);
  }
  let bucket = 0;
  while (bucket < BOUNDS.length && seconds > BOUNDS[bucket]) bucket++;
  series.counts[bucket]++;
  series.sum += seconds;
  series.exemplars[bucket] = { traceId: span.traceId, spanId: span.spanId, value: seconds, at: Date.now() };
}

// The SERVER span's attribute keys, encoded once.
const KEY = Object.fromEntries(
  [
    'http.request.method',
    'url.scheme',
    'url.path',
    'network.protocol.version',
    'network.peer.address',
    'network.peer.port',
    'client.address',
    'user_agent.original',
    'server.address',
    'server.port',
    'http.response.status_code',
    'http.route',
  ].map((key) => [key, encodedKey(key)]),
);

const spans = new SpanBatches(ENDPOINT, SERVICE);

function endSpan(span, req, res) {
  const end = performance.timeOrigin + performance.now();
  const route = req.route ? `${req.baseUrl}${req.route.path}` : undefined;
  const status = res.statusCode;
  observeDuration(req.method, route ?? '', status, (end - span.start) / 1000, span);
  const w = spans.writer;
  const mark = beginSpan(w, span.traceId, span.spanId);
  w.uint(0x2a);
  w.string(route ? `${req.method} ${route}` : req.method);
  w.uint(0x30);
  w.uint(2); // SPAN_KIND_SERVER
  w.uint(0x39);
  w.time(span.start);
  w.uint(0x41);
  w.time(end);
  const socket = req.socket;
  const [host, port] = (req.headers.host ?? '').split(':');
  keyValue(w, 0x4a, KEY['http.request.method'], req.method);
  keyValue(w, 0x4a, KEY['url.scheme'], 'http');
  keyValue(w, 0x4a, KEY['url.path'], req.url);
  keyValue(w, 0x4a, KEY['network.protocol.version'], req.httpVersion);
  keyValue(w, 0x4a, KEY['network.peer.address'], socket.remoteAddress);
  keyValue(w, 0x4a, KEY['network.peer.port'], socket.remotePort);
  keyValue(w, 0x4a, KEY['client.address'], socket.remoteAddress);
  if (req.headers['user-agent']) keyValue(w, 0x4a, KEY['user_agent.original'], req.headers['user-agent']);
  keyValue(w, 0x4a, KEY['server.address'], host);
  if (port) keyValue(w, 0x4a, KEY['server.port'], Number(port));
  keyValue(w, 0x4a, KEY['http.response.status_code'], status);
  if (route) keyValue(w, 0x4a, KEY['http.route'], route);
  w.uint(0x7a); // status = 15, empty (unset)
  w.uint(0);
  w.uint(0x85); // flags = 16, fixed32 (a two-byte tag): sampled, parent not remote
  w.fixed32(0x101);
  w.end(mark);
  spans.added();
}

const context = new AsyncLocalStorage();
const shipping = pino.transport({
  target: new URL('./floor-log-transport.mjs', import.meta.url).href,
  options: { url: `${ENDPOINT}/v1/logs`, serviceName: SERVICE },
});
// Lines cross to the worker every 20 ms or 64 KiB, as the package's batched-lines.ts hands them
// over: a switch between threads for each line would cost more than the line.
let pendingLines = '';
let linesTimer;
const flushLines = () => {
  clearTimeout(linesTimer);
  linesTimer = undefined;
  if (pendingLines !== '') shipping.write(pendingLines);
  pendingLines = '';
};
const shippedLines = {
  write(line) {
    pendingLines += line;
    if (pendingLines.length >= 64 * 1024) flushLines();
    else linesTimer ??= setTimeout(flushLines, 20).unref();
  },
  end() {
    flushLines();
    shipping.end();
  },
};
const log = pino(
  {
    base: { pid: process.pid, hostname: hostname(), service_name: SERVICE },
    mixin() {
      const span = context.getStore();
      return span ? { trace_id: span.traceId, span_id: span.spanId, trace_flags: '01' } : {};
    },
  },
  pino.multistream([
    { level: 'info', stream: pino.destination({ dest: 1, sync: false }) },
    { level: 'info', stream: shippedLines },
  ]),
);

const app = express();
app.get('/orders/:id', (req, res) => {
  log.info({ order_id: req.params.id }, 'order read');
  res.json({ id: req.params.id, status: 'confirmed', items: [{ sku: 'book', quantity: 1 }] });
});

const server = createServer((req, res) => {
  const span = startSpan();
  res.on('finish', () => endSpan(span, req, res));
  context.run(span, app, req, res);
});
server.listen(0, '127.0.0.1', () => process.send?.({ listening: server.address().port }));
process.on('message', (message) => {
  if (message === 'rss') process.send?.({ rss: process.memoryUsage().rss });
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  spans.flush();
  // The worker posts what it holds as it ends; the IPC channel would keep the process alive.
  shipping.once('close', () => posted().then(() => process.exit(0)));
  shippedLines.end();
});
