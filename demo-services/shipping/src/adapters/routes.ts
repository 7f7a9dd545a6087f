import { HttpError } from '@hopscope/demo-shared';
import type { Queryable } from '@hopscope/instrumentation/messaging';
import express, { type Router } from 'express';
import type { ShipmentsSql } from './shipments-sql.ts';

/** `GET /shipments/:orderId`: the gateway's view of an order's shipment (API composition). */
export function shippingRoutes(shipments: ShipmentsSql, db: Queryable): Router {
  const router = express.Router();
  router.get('/shipments/:orderId', async (req, res) => {
    const shipment = await shipments.find(db, req.params.orderId);
    if (!shipment) throw new HttpError(404, 'no_such_shipment', `no shipment for order ${req.params.orderId}`);
    res.json(shipment);
  });
  return router;
}
