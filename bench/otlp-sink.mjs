// The local telemetry sink every variant exports to: accepts any OTLP/HTTP request and
// answers 200 at once, like a healthy collector, so exporters pay their real encode+send cost.
// It counts requests per path (/v1/traces, /v1/logs, …) and sends the counts when asked over
// IPC, so the bench can show which signals a stage really exported.
import { createServer } from 'node:http';

const requests = {};
const server = createServer((req, res) => {
  requests[req.url] = (requests[req.url] ?? 0) + 1;
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
server.listen(0, '127.0.0.1', () => process.send?.({ listening: server.address().port }));
process.on('message', (message) => {
  if (message === 'requests') process.send?.({ requests: { ...requests } });
});
process.on('disconnect', () => process.exit(0));
