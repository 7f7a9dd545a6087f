// The product catalog, from inventory. Placing an order checks SKUs against it and the web BFF
// names the lines from it; both reuse a copy for a few seconds instead of asking inventory on
// every request (stock is not read from the copy: GET /api/products always asks).
import { HttpError, type Log } from '@hopscope/demo-shared';
import type { Catalog } from '../domain/order-request.ts';
import type { ResilientUpstream, UpstreamReply } from './resilient-upstream.ts';
import { readProducts } from './upstream-replies.ts';

export class CatalogClient {
  private readonly inventory: ResilientUpstream;
  private readonly ttlMs: number;
  private readonly log: Log;
  private cached: { catalog: Catalog; at: number } | undefined;

  constructor(inventory: ResilientUpstream, ttlMs: number, log: Log) {
    this.inventory = inventory;
    this.ttlMs = ttlMs;
    this.log = log;
  }

  /** inventory's GET /products as it answered (for GET /api/products). */
  async products(): Promise<UpstreamReply> {
    const reply = await this.inventory.request('/products');
    if (reply.status === 200) this.remember(reply.body);
    return reply;
  }

  /**
   * The catalog, at most `ttlMs` old; when inventory does not answer, an older copy rather than
   * nothing (a product is rarely removed), else the upstream's error.
   */
  async catalog(): Promise<Catalog> {
    if (this.cached && Date.now() - this.cached.at < this.ttlMs) return this.cached.catalog;
    try {
      const reply = await this.inventory.request('/products');
      if (reply.status !== 200) throw new HttpError(502, 'upstream_failed', `inventory answered ${reply.status}`);
      return this.remember(reply.body);
    } catch (error) {
      if (!this.cached) throw error;
      this.log.warn(
        { upstream: 'inventory', ageMs: Date.now() - this.cached.at },
        'catalog stale: inventory did not answer',
      );
      return this.cached.catalog;
    }
  }

  /** The catalog, or undefined when inventory does not answer (for shaping, where names are optional). */
  async catalogIfAvailable(): Promise<Catalog | undefined> {
    try {
      return await this.catalog();
    } catch {
      return undefined;
    }
  }

  private remember(body: unknown): Catalog {
    const catalog = new Map(readProducts(body, 'inventory GET /products').map((p) => [p.sku, p]));
    this.cached = { catalog, at: Date.now() };
    return catalog;
  }
}
