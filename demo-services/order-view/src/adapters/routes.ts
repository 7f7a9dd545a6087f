// The read model's queries (what the gateway composes its order pages from) and the rebuild command.
import { HttpError, type Log, type Upstream, validate } from '@hopscope/demo-shared';
import express, { type Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import type { OrderViewSql } from './order-view-sql.ts';
import { rebuildFromOrderLog } from './rebuild.ts';

const listQuery = z.object({
  customer: z.string().min(1).max(128),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export function orderViewRoutes(views: OrderViewSql, pool: pg.Pool, orders: Upstream, log: Log): Router {
  const router = express.Router();

  router.get('/orders/:id', async (req, res) => {
    const order = await views.find(pool, req.params.id);
    if (!order) throw new HttpError(404, 'no_such_order', `no order ${req.params.id}`);
    res.json(order);
  });

  router.get('/orders', async (req, res) => {
    const { customer, limit } = validate(listQuery, req.query, 'query');
    res.json({ orders: await views.listByCustomer(pool, customer, limit) });
  });

  router.post('/rebuild', async (_req, res) => {
    res.json(await rebuildFromOrderLog(pool, orders, log));
  });
  return router;
}
