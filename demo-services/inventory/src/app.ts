// inventory: stock per SKU, in its own database. A participant in both sagas: reserves and
// releases stock for the place-order orchestrator, releases it on its own when an order's
// cancellation is requested (adapters/inventory-consumers.ts). Serves the catalogue with stock.
import type { ServiceDefinition } from '@hopscope/demo-shared';
import { registerInventoryConsumers } from './adapters/inventory-consumers.ts';
import { inventoryRoutes } from './adapters/routes.ts';
import { MIGRATIONS, StockSql } from './adapters/stock-sql.ts';

export const inventory: ServiceDefinition = {
  name: 'inventory',
  migrations: MIGRATIONS,
  async build(context) {
    const stock = new StockSql();
    await registerInventoryConsumers(context, stock);
    return { routes: inventoryRoutes(stock, context.pool) };
  },
};
