// The local telemetry sink every variant exports to: accepts any OTLP/HTTP request and
// answers 200 at once, like a healthy collector, so exporters pay their real encode+send cost.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
server.listen(0, '127.0.0.1', () => process.send?.({ listening: server.address().port }));
process.on('disconnect', () => process.exit(0));
