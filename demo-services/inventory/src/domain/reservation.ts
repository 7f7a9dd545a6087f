// Reserving stock for an order is all or nothing: every line is checked against the stock
// (rows locked by the caller) before any is taken, so a refused order leaves the stock as it
// was and the saga has nothing to compensate here.
import type { OrderLine } from '@hopscope/demo-shared';

export interface StockLevel {
  sku: string;
  priceCents: number;
  stock: number;
}

export type ReservationPlan =
  { ok: true; lines: OrderLine[]; amountCents: number } | { ok: false; reason: string; sku: string };

/** One line per SKU: an order may name the same SKU twice, the stock is taken once. */
export function mergeLines(lines: readonly OrderLine[]): OrderLine[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity })).sort((a, b) => a.sku.localeCompare(b.sku));
}

/** Checks every line; the first one that cannot be served refuses the whole order, naming its SKU. */
export function planReservation(lines: readonly OrderLine[], stock: ReadonlyMap<string, StockLevel>): ReservationPlan {
  const merged = mergeLines(lines);
  let amountCents = 0;
  for (const { sku, quantity } of merged) {
    const level = stock.get(sku);
    if (!level) return { ok: false, sku, reason: `unknown SKU ${sku}` };
    if (level.stock < quantity) {
      return { ok: false, sku, reason: `out of stock: ${sku} (requested ${quantity}, available ${level.stock})` };
    }
    amountCents += level.priceCents * quantity;
  }
  return { ok: true, lines: merged, amountCents };
}
