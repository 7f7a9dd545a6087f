// Inventory's database: the stock per SKU, and one reservation per order with its lines.
// What a reservation holds is no longer in `stock`, so for every SKU
//   stock + (quantities of its lines in reservations with status 'reserved') = the initial stock
// (RESERVED_PER_SKU reads the second term; the chaos tests check the sum).
import type { Queryable } from '@hopscope/instrumentation/messaging';
import type { OrderLine } from '@hopscope/demo-shared';
import type { StockLevel } from '../domain/reservation.ts';

export const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS products (
    sku text PRIMARY KEY,
    name text NOT NULL,
    price_cents integer NOT NULL CHECK (price_cents >= 0),
    stock integer NOT NULL CHECK (stock >= 0)
  )`,
  // Seeded once: a restart keeps the stock as it is (DO NOTHING, not an upsert).
  `INSERT INTO products (sku, name, price_cents, stock) VALUES
    ('espresso-beans', 'Espresso beans, 1 kg', 1890, 1000000),
    ('green-tea', 'Sencha green tea, 100 g', 790, 1000000),
    ('moka-pot', 'Moka pot, 6 cups', 3490, 1000000),
    ('milk-frother', 'Milk frother', 2490, 1000000),
    ('gold-teapot', 'Gold-plated teapot', 129900, 3)
  ON CONFLICT (sku) DO NOTHING`,
  // 'released' without lines: a release that came before its reserve (a timed-out saga
  // compensating); the late reserve is then refused instead of holding stock forever.
  `CREATE TABLE IF NOT EXISTS reservations (
    order_id text PRIMARY KEY,
    status text NOT NULL CHECK (status IN ('reserved', 'released')),
    amount_cents bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    released_at timestamptz
  )`,
  `CREATE TABLE IF NOT EXISTS reservation_lines (
    order_id text NOT NULL REFERENCES reservations (order_id),
    sku text NOT NULL REFERENCES products (sku),
    quantity integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, sku)
  )`,
];

/** Quantity held by live reservations, per SKU (the second term of the stock invariant). */
export const RESERVED_PER_SKU = `SELECT l.sku, sum(l.quantity)::int AS reserved
  FROM reservation_lines l JOIN reservations r USING (order_id)
  WHERE r.status = 'reserved' GROUP BY l.sku`;

export interface Product extends StockLevel {
  name: string;
}

export interface Reservation {
  status: 'reserved' | 'released';
  amountCents: number;
}

export class StockSql {
  async listProducts(db: Queryable): Promise<Product[]> {
    const { rows } = await db.query<{ sku: string; name: string; price_cents: number; stock: number }>(
      'SELECT sku, name, price_cents, stock FROM products ORDER BY sku',
    );
    return rows.map((r) => ({ sku: r.sku, name: r.name, priceCents: r.price_cents, stock: r.stock }));
  }

  /** Serializes the work on one order (two commands for it never interleave), until the transaction ends. */
  async lockOrder(tx: Queryable, orderId: string): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [orderId]);
  }

  async findReservation(tx: Queryable, orderId: string): Promise<Reservation | undefined> {
    const { rows } = await tx.query<{ status: Reservation['status']; amount_cents: string }>(
      'SELECT status, amount_cents FROM reservations WHERE order_id = $1',
      [orderId],
    );
    return rows[0] ? { status: rows[0].status, amountCents: Number(rows[0].amount_cents) } : undefined;
  }

  /** Locks the stock rows of these SKUs, always in SKU order so that two orders cannot deadlock. */
  async lockStock(tx: Queryable, skus: readonly string[]): Promise<Map<string, StockLevel>> {
    const { rows } = await tx.query<{ sku: string; price_cents: number; stock: number }>(
      'SELECT sku, price_cents, stock FROM products WHERE sku = ANY($1) ORDER BY sku FOR UPDATE',
      [skus],
    );
    return new Map(rows.map((r) => [r.sku, { sku: r.sku, priceCents: r.price_cents, stock: r.stock }]));
  }

  /** Takes the lines out of stock and records them as the order's reservation (rows locked by lockStock). */
  async reserve(tx: Queryable, orderId: string, lines: readonly OrderLine[], amountCents: number): Promise<void> {
    await tx.query(`INSERT INTO reservations (order_id, status, amount_cents) VALUES ($1, 'reserved', $2)`, [
      orderId,
      amountCents,
    ]);
    for (const { sku, quantity } of lines) {
      await tx.query('UPDATE products SET stock = stock - $2 WHERE sku = $1', [sku, quantity]);
      await tx.query('INSERT INTO reservation_lines (order_id, sku, quantity) VALUES ($1, $2, $3)', [
        orderId,
        sku,
        quantity,
      ]);
    }
  }

  /** Puts a reserved order's lines back into stock; returns them. */
  async release(tx: Queryable, orderId: string): Promise<OrderLine[]> {
    const { rows } = await tx.query<{ sku: string; quantity: number }>(
      'SELECT sku, quantity FROM reservation_lines WHERE order_id = $1 ORDER BY sku',
      [orderId],
    );
    await this.lockStock(
      tx,
      rows.map((r) => r.sku),
    );
    for (const { sku, quantity } of rows) {
      await tx.query('UPDATE products SET stock = stock + $2 WHERE sku = $1', [sku, quantity]);
    }
    await tx.query(`UPDATE reservations SET status = 'released', released_at = now() WHERE order_id = $1`, [orderId]);
    return rows.map((r) => ({ sku: r.sku, quantity: r.quantity }));
  }

  /** Records that an order with no reservation was released, so that a late reserve is refused. */
  async markReleasedUnreserved(tx: Queryable, orderId: string): Promise<void> {
    await tx.query(
      `INSERT INTO reservations (order_id, status, amount_cents, released_at) VALUES ($1, 'released', 0, now())`,
      [orderId],
    );
  }
}
