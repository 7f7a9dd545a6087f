import { validate } from '@hopscope/demo-shared';
import express, { type Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import type { SentNotificationsSql } from './sent-notifications-sql.ts';

const listQuery = z.object({ orderId: z.string().min(1).max(128) });

/** `GET /notifications?orderId=`: what the customer was told about an order, oldest first. */
export function notificationRoutes(sent: SentNotificationsSql, pool: pg.Pool): Router {
  const router = express.Router();
  router.get('/notifications', async (req, res) => {
    const { orderId } = validate(listQuery, req.query, 'query');
    res.json({ notifications: await sent.listFor(pool, orderId) });
  });
  return router;
}
