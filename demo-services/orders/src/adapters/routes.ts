// orders' HTTP API (called by the gateway, with the authenticated user in x-customer):
// POST /orders (Idempotency-Key), POST /orders/:id/cancel, GET /orders/:id (the order folded
// from its events), GET /events (the integration events, for order-view's rebuild).
import { HttpError, type Log, placeOrderRequest, validate } from '@hopscope/demo-shared';
import { inTransaction } from '@hopscope/instrumentation/messaging';
import express, { type Request, type Router } from 'express';
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { foldOrder } from '../domain/order-events.ts';
import type { IdempotencyKeys } from './idempotency-keys.ts';
import type { OrderCancellation } from './order-cancellation.ts';
import type { OrderEventStore } from './order-event-store.ts';
import type { PlaceOrderOrchestrator } from './place-order-orchestrator.ts';

export interface RouteParts {
  pool: pg.Pool;
  keys: IdempotencyKeys;
  events: OrderEventStore;
  orchestrator: PlaceOrderOrchestrator;
  cancellation: OrderCancellation;
  log: Log;
}

// Printable ASCII without spaces: UUIDs, ULIDs and the like.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;
const CUSTOMER = /^[\x21-\x7e]{1,128}$/;

const eventsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export function orderRoutes({ pool, keys, events, orchestrator, cancellation, log }: RouteParts): Router {
  const router = express.Router();
  router.use(express.json({ limit: '64kb' }));

  router.post('/orders', async (req, res) => {
    const key = requiredHeader(
      req,
      'idempotency-key',
      IDEMPOTENCY_KEY,
      'printable ASCII without spaces, 1-128 characters',
    );
    const customer = requiredHeader(req, 'x-customer', CUSTOMER, 'the customer id, 1-128 characters');
    const { items } = validate(placeOrderRequest, req.body, 'order');
    const requestHash = createHash('sha256').update(JSON.stringify(items)).digest('hex');
    const orderId = await inTransaction(pool, async (tx) => {
      const newOrderId = randomUUID();
      const claim = await keys.claim(tx, customer, key, requestHash, newOrderId);
      if (claim.claimed) {
        await orchestrator.placeOrder(tx, newOrderId, customer, items);
        return newOrderId;
      }
      if (claim.requestHash !== requestHash) {
        throw new HttpError(
          409,
          'idempotency_key_reused',
          'this Idempotency-Key was used for another request body',
          'idempotency-key',
        );
      }
      log.info({ order_id: claim.orderId, customer }, 'order already placed with this idempotency key');
      return claim.orderId;
    });
    // The same answer for a repeat: the order as it was accepted.
    res.status(202).json({ orderId, status: 'pending' });
  });

  router.post('/orders/:id/cancel', async (req, res) => {
    const customer = requiredHeader(req, 'x-customer', CUSTOMER, 'the customer id, 1-128 characters');
    const orderId = req.params['id'];
    const result = await inTransaction(pool, (tx) => cancellation.request(tx, orderId, customer));
    if (result.kind === 'not-found') throw new HttpError(404, 'order_not_found', `no order ${orderId}`);
    if (result.kind === 'refused') throw new HttpError(409, 'order_not_cancellable', result.why);
    res.status(202).json({ orderId, status: result.order.status, cancellation: result.order.cancellation });
  });

  router.get('/orders/:id', async (req, res) => {
    const orderId = req.params['id'];
    const order = foldOrder(await events.load(pool, orderId));
    // When the caller says whose order it wants, another customer's is "not found".
    const customer = req.get('x-customer');
    if (!order || (customer !== undefined && customer !== order.customer)) {
      throw new HttpError(404, 'order_not_found', `no order ${orderId}`);
    }
    res.json(order);
  });

  router.get('/events', async (req, res) => {
    const { after, limit } = validate(eventsQuery, req.query, 'query');
    // One more than asked for tells whether there is a next page.
    const found = await events.integrationEventsAfter(pool, after, limit + 1);
    const page = found.slice(0, limit);
    res.json({ events: page, next: found.length > limit ? page[page.length - 1].seq : null });
  });

  return router;
}

function requiredHeader(req: Request, name: string, pattern: RegExp, expected: string): string {
  const value = req.get(name);
  if (value === undefined || value === '') {
    throw new HttpError(400, 'missing_header', `the ${name} header is required`, name);
  }
  if (!pattern.test(value)) throw new HttpError(400, 'invalid_header', `${name}: must be ${expected}`, name);
  return value;
}
