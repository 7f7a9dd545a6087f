import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/** A request handler that serves the registry in OpenMetrics format (usable as express middleware). */
export function metricsHandler(registry: Registry) {
  return (_request: IncomingMessage, response: ServerResponse): void => {
    registry.metrics().then(
      (body) => {
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(body);
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`metrics collection failed: ${String(error)}\n`);
      },
    );
  };
}

/**
 * `/metrics` on a port of its own, for services that run no HTTP server (consumers, relays).
 * Its socket is unref'd: it never keeps a process alive that would otherwise exit.
 */
export function startMetricsServer(registry: Registry, options: { metricsPort?: number; metricsHost: string }): Server {
  const serve = metricsHandler(registry);
  // Not a static import: an ESM import of node:http reads its WebSocket getters, which load the
  // undici bundled in Node (some 80 ms at every start, with or without a metrics port).
  const { createServer } = process.getBuiltinModule('node:http');
  const server = createServer((request, response) => {
    if (request.url === '/metrics' && request.method === 'GET') return serve(request, response);
    response.writeHead(404).end();
  });
  server.on('error', (error) => process.stderr.write(`hopscope: metrics server failed: ${error.message}\n`));
  server.listen(options.metricsPort, options.metricsHost).unref();
  return server;
}
