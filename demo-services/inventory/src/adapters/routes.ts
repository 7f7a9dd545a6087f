import express, { type Router } from 'express';
import type pg from 'pg';
import type { StockSql } from './stock-sql.ts';

export function inventoryRoutes(stock: StockSql, pool: pg.Pool): Router {
  const router = express.Router();
  router.get('/products', async (_req, res) => {
    res.json({ products: await stock.listProducts(pool) });
  });
  return router;
}
