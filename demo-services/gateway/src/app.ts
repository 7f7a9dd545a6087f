// gateway: the shop's single front door (API gateway + backends for frontends). In order,
// for every request: a `traceresponse` header (any answer leads to its trace), who the caller
// is (JWT), the baggage boundary (what a client sent is dropped; the gateway sets its own),
// the per-client rate limit, then the routes, which call the services through one resilient
// pipeline per upstream (adapters/resilient-upstream.ts). It keeps no data of its own.
import { HttpError, type ServiceDefinition } from '@hopscope/demo-shared';
import { baggageBoundary, traceResponse } from '@hopscope/instrumentation';
import express from 'express';
import { apiRoutes } from './adapters/api-routes.ts';
import { TokenService, userOf } from './adapters/auth.ts';
import { authRoutes } from './adapters/auth-routes.ts';
import { bffRoutes } from './adapters/bff-routes.ts';
import { CatalogClient } from './adapters/catalog-client.ts';
import { OrderReader } from './adapters/order-reader.ts';
import { perClientRateLimit } from './adapters/rate-limit.ts';
import { ResilientUpstream } from './adapters/resilient-upstream.ts';
import { readGatewayConfig } from './config.ts';
import { baggageFor } from './domain/users.ts';

export const gateway: ServiceDefinition = {
  name: 'gateway',
  // No data of its own; the frame still gives it a (empty) database, which /readyz checks.
  migrations: [],
  usesBroker: false,
  checkConfig: readGatewayConfig,
  build({ env, log }) {
    const config = readGatewayConfig(env);
    const resilient = (name: keyof typeof config.upstreams) =>
      new ResilientUpstream(config.upstreams[name], config.resilience, log);
    const orders = resilient('orders');
    const catalog = new CatalogClient(resilient('inventory'), config.catalogTtlMs, log);
    const reader = new OrderReader({ orders, orderView: resilient('orderView'), shipping: resilient('shipping') }, log);
    const tokens = new TokenService(config.jwtSecret, config.tokenTtlSeconds);

    const routes = express.Router();
    routes.use(traceResponse());
    routes.use(tokens.identify());
    routes.use(baggageBoundary((req) => baggageFor(userOf(req))));
    routes.use(
      perClientRateLimit({
        perMinute: config.rateLimitPerMinute,
        syntheticPerMinute: config.syntheticRateLimitPerMinute,
      }),
    );
    routes.use(authRoutes(tokens, log));
    routes.use(apiRoutes({ orders, catalog, reader, log }));
    routes.use(bffRoutes(reader, catalog));
    // Here rather than express's default, so that a 404 is JSON and carries traceresponse too.
    routes.use((req) => {
      throw new HttpError(404, 'not_found', `no route ${req.method} ${req.path}`);
    });
    return { routes };
  },
};
