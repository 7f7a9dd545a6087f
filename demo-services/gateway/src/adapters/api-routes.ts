// The public API (the contract the load generator and the checks rely on). Routing only: each
// route checks its input, calls the service that owns the data and passes its answer on
// (4xx included); the composition of an order lives in OrderReader.
import { HttpError, type Log, placeOrderRequest, validate } from '@hopscope/demo-shared';
import express, { type Response, type Router } from 'express';
import { firstUnknownSku, idempotencyKeyProblem } from '../domain/order-request.ts';
import { authenticatedUser, requireUser } from './auth.ts';
import type { CatalogClient } from './catalog-client.ts';
import { limitParam, orderIdParam, orderNotFound } from './http-params.ts';
import type { OrderReader } from './order-reader.ts';
import type { ResilientUpstream, UpstreamReply } from './resilient-upstream.ts';

export interface ApiDependencies {
  orders: ResilientUpstream;
  catalog: CatalogClient;
  reader: OrderReader;
  log: Log;
}

/** A service's answer, status and JSON body as they came (a 409 from orders stays a 409). */
function passOn(res: Response, reply: UpstreamReply): void {
  res.status(reply.status).json(reply.body);
}

export function apiRoutes({ orders, catalog, reader, log }: ApiDependencies): Router {
  const router = express.Router();

  router.get('/api/products', async (_req, res) => {
    passOn(res, await catalog.products());
  });

  router.post('/api/orders', requireUser, express.json({ limit: '16kb' }), async (req, res) => {
    const customer = authenticatedUser(req);
    const key = req.get('idempotency-key');
    const keyProblem = idempotencyKeyProblem(key);
    if (keyProblem) throw new HttpError(400, 'idempotency_key_required', keyProblem, 'Idempotency-Key');
    const order = validate(placeOrderRequest, req.body, 'order');
    const unknown = firstUnknownSku(order.items, await catalog.catalog());
    if (unknown) {
      throw new HttpError(
        400,
        'unknown_sku',
        `unknown SKU ${JSON.stringify(unknown.sku)}`,
        `items[${unknown.index}].sku`,
      );
    }
    const reply = await orders.request('/orders', {
      method: 'POST',
      headers: { 'idempotency-key': key as string, 'x-customer': customer },
      body: order,
    });
    if (reply.status === 202) {
      const { orderId } = reply.body as { orderId?: string };
      log.info({ orderId, customer, lines: order.items.length }, 'order placed via gateway');
    } else {
      log.info({ customer, status: reply.status }, 'order refused by orders');
    }
    passOn(res, reply);
  });

  router.get('/api/orders', requireUser, async (req, res) => {
    const orders = await reader.list(authenticatedUser(req), limitParam(req));
    res.json({ orders });
  });

  router.get('/api/orders/:id', requireUser, async (req, res) => {
    const orderId = orderIdParam(req);
    const order = await reader.find(orderId, authenticatedUser(req));
    if (!order) throw orderNotFound(orderId);
    res.json(order);
  });

  router.post('/api/orders/:id/cancel', requireUser, async (req, res) => {
    const orderId = orderIdParam(req);
    const customer = authenticatedUser(req);
    const reply = await orders.request(`/orders/${encodeURIComponent(orderId)}/cancel`, {
      method: 'POST',
      headers: { 'x-customer': customer },
    });
    log.info({ orderId, customer, status: reply.status }, 'order cancellation via gateway');
    passOn(res, reply);
  });
  return router;
}
