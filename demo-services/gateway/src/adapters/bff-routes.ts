// Backends for frontends: the web page and the mobile app read the same composed orders
// (OrderReader) and each gets its own shape (domain/bff-shapes.ts).
import express, { type Router } from 'express';
import { mobileOrder, webOrder } from '../domain/bff-shapes.ts';
import { authenticatedUser, requireUser } from './auth.ts';
import type { CatalogClient } from './catalog-client.ts';
import { limitParam, orderIdParam, orderNotFound } from './http-params.ts';
import type { OrderReader } from './order-reader.ts';

export function bffRoutes(reader: OrderReader, catalog: CatalogClient): Router {
  const router = express.Router();

  router.get('/bff/web/orders/:id', requireUser, async (req, res) => {
    const orderId = orderIdParam(req);
    const order = await reader.find(orderId, authenticatedUser(req));
    if (!order) throw orderNotFound(orderId);
    res.json(webOrder(order, await catalog.catalogIfAvailable()));
  });

  router.get('/bff/mobile/orders/:id', requireUser, async (req, res) => {
    const orderId = orderIdParam(req);
    const order = await reader.find(orderId, authenticatedUser(req));
    if (!order) throw orderNotFound(orderId);
    res.json(mobileOrder(order));
  });

  router.get('/bff/web/orders', requireUser, async (req, res) => {
    const orders = await reader.list(authenticatedUser(req), limitParam(req));
    const products = await catalog.catalogIfAvailable();
    res.json({ orders: orders.map((order) => webOrder(order, products)) });
  });

  router.get('/bff/mobile/orders', requireUser, async (req, res) => {
    const orders = await reader.list(authenticatedUser(req), limitParam(req));
    res.json({ orders: orders.map(mobileOrder) });
  });
  return router;
}
