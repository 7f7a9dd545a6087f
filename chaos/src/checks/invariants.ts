// Invariants over the demo services' own databases: what must be true of the shop's data
// whatever broke, read where the services keep it (orders' event log, inventory's stock and
// reservations, payments' payments, the bank's ledger). Each database is read in one read-only
// snapshot; an invariant that spans two databases cannot read both at one instant, so what it
// finds wrong is read again afterwards and only what is still wrong is reported: a saga step
// that landed between the two reads is not a violation.
import type { INVARIANTS } from '../scenario/schema.ts';
import type { CheckContext, Observation } from './context.ts';
import { type OrderRow, type OrderState, TERMINAL_STATES, formatAge, readOrders, shortId } from './order-states.ts';
import { readDatabase } from './shop-databases.ts';

export type Invariant = (typeof INVARIANTS)[number];

/**
 * The stock inventory seeds (the INSERT in demo-services/inventory/src/adapters/stock-sql.ts,
 * run once, `ON CONFLICT DO NOTHING`); chaos/test/checks-invariants.test.ts fails when the two
 * differ. No code path adds stock: only reservations take it and releases give it back.
 */
export const INITIAL_STOCK: Readonly<Record<string, number>> = {
  'espresso-beans': 1_000_000,
  'green-tea': 1_000_000,
  'moka-pot': 1_000_000,
  'milk-frother': 1_000_000,
  'gold-teapot': 3,
};

export interface InvariantReport {
  /** Each thing found wrong, naming its order or SKU: "ab12cd34 pending 2m10s". Empty: it holds. */
  violations: string[];
  /** What a violation list is headed with: "3 of 40 orders not terminal". */
  headline: string;
  /** What was checked, when it holds: "40 orders, all terminal: 35 confirmed, 5 cancelled". */
  summary: string;
}

/** Violations named in `observed` at most; the rest are counted. */
const LISTED = 5;

export async function evaluateInvariant(name: Invariant, ctx: CheckContext): Promise<Observation> {
  let report: InvariantReport;
  try {
    report = await inspectInvariant(name, ctx);
  } catch (error) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    // An unreachable or missing database, a statement timeout: the invariant is not shown to hold.
    return { holds: false, observed: `cannot read: ${(error as Error).message}` };
  }
  const { violations, headline, summary } = report;
  if (violations.length === 0) return { holds: true, observed: summary, count: 0 };
  const listed = violations.slice(0, LISTED).join(', ');
  const more = violations.length > LISTED ? `, … ${violations.length - LISTED} more` : '';
  return { holds: false, observed: `${headline}: ${listed}${more}`, count: violations.length };
}

/** The invariant's findings, in full (the run's figures count them). */
export function inspectInvariant(name: Invariant, ctx: CheckContext): Promise<InvariantReport> {
  switch (name) {
    case 'orders-terminal':
      return ordersTerminal(ctx);
    case 'stock-balanced':
      return stockBalanced(ctx);
    case 'no-orphan-charge':
      return noOrphanCharge(ctx);
    case 'no-duplicate-charge':
      return noDuplicateCharge(ctx);
    case 'messages-processed-once':
      return messagesProcessedOnce(ctx);
  }
}

// ---- orders-terminal -------------------------------------------------------------------------

const STATE_ORDER: readonly OrderState[] = ['confirmed', 'cancelled', 'failed', 'pending', 'cancelling'];

/**
 * Every order ended confirmed, cancelled or failed: a saga never stays half done, whatever
 * crashed or timed out (its sweeper times it out and compensates). The state is the fold of
 * the order's events (order-states.ts); a cancellation under way is not an end. Only orders
 * placed before the check's phase began are held to it: the run's traffic goes on meanwhile,
 * and an order placed a second ago is rightly still under way.
 */
async function ordersTerminal(ctx: CheckContext): Promise<InvariantReport> {
  const all = [...(await readDatabase(ctx, 'orders', (client) => readOrders(client))).values()];
  const phaseAgeS = (Date.now() - ctx.windowStart) / 1000;
  const orders = all.filter((o) => o.ageS >= phaseAgeS);
  const stuck = orders.filter((o) => !TERMINAL_STATES.has(o.state)).sort((a, b) => b.ageS - a.ageS);
  const byState = STATE_ORDER.map((state) => [state, orders.filter((o) => o.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  return {
    violations: stuck.map((o) => `${shortId(o.orderId)} ${o.state} ${formatAge(o.ageS)}`),
    headline: `${stuck.length} of ${plural(orders.length, 'order')} not terminal`,
    summary: orders.length === 0 ? 'no order yet' : `${plural(orders.length, 'order')}, all terminal: ${byState}`,
  };
}

// ---- stock-balanced --------------------------------------------------------------------------

// Reserving takes a reservation's lines out of `products.stock` and releasing puts them back
// and marks it released, in one transaction each (stock-sql.ts). So per SKU, with nothing
// lost or taken twice: stock now + units of reservations still 'reserved' = the seeded stock.
const STOCK_PER_SKU = `
  SELECT p.sku, p.stock, coalesce(held.units, 0)::int AS reserved
  FROM products p LEFT JOIN (
    SELECT l.sku, sum(l.quantity) AS units
    FROM reservation_lines l JOIN reservations r USING (order_id)
    WHERE r.status = 'reserved' GROUP BY l.sku
  ) held USING (sku)
  ORDER BY p.sku`;

// The units each live reservation holds; and, read again, those of some orders only.
const HELD_PER_ORDER = `
  SELECT r.order_id, sum(l.quantity)::int AS units
  FROM reservations r JOIN reservation_lines l USING (order_id)
  WHERE r.status = 'reserved' GROUP BY r.order_id`;
const STILL_HELD = `
  SELECT r.order_id, sum(l.quantity)::int AS units
  FROM reservations r JOIN reservation_lines l USING (order_id)
  WHERE r.status = 'reserved' AND r.order_id = ANY($1) GROUP BY r.order_id`;

/**
 * The stock is balanced against the orders: (1) per SKU, stock + reserved = seeded, and the
 * units out of stock are held by exactly the orders that keep them: (2) no cancelled, failed
 * or unknown order still holds a reservation (its compensation gives the stock back), and (3)
 * every confirmed order holds its reservation (a sold order's stock was not given back).
 * Pending orders may hold one or not: their saga is still deciding.
 */
async function stockBalanced(ctx: CheckContext): Promise<InvariantReport> {
  const inventory = await readDatabase(ctx, 'inventory', async (client) => ({
    skus: (await client.query<{ sku: string; stock: number; reserved: number }>(STOCK_PER_SKU)).rows,
    held: new Map(
      (await client.query<{ order_id: string; units: number }>(HELD_PER_ORDER)).rows.map((r) => [r.order_id, r.units]),
    ),
  }));
  const violations: string[] = [];
  for (const { sku, stock, reserved } of inventory.skus) {
    const seeded = INITIAL_STOCK[sku];
    if (seeded === undefined) {
      violations.push(`${sku}: not in the seed`);
      continue;
    }
    const gap = seeded - (stock + reserved);
    if (gap !== 0) {
      const what = gap > 0 ? `${plural(gap, 'unit')} missing` : `${plural(-gap, 'unit')} too many`;
      violations.push(`${sku}: stock ${stock} + reserved ${reserved} ≠ seeded ${seeded} (${what})`);
    }
  }
  for (const sku of Object.keys(INITIAL_STOCK)) {
    if (!inventory.skus.some((row) => row.sku === sku)) violations.push(`${sku}: missing from products`);
  }

  const orders = await readDatabase(ctx, 'orders', (client) => readOrders(client));
  const leaked = [...inventory.held.keys()].filter((id) => {
    const state = orders.get(id)?.state;
    return state === undefined || state === 'cancelled' || state === 'failed';
  });
  const unheld = [...orders.values()].filter((o) => o.state === 'confirmed' && !inventory.held.has(o.orderId));
  // Read again what looks wrong: a release (or a reserve) may have landed between the reads.
  const stillHeld = await readDatabase(ctx, 'inventory', async (client) => {
    const { rows } = await client.query<{ order_id: string; units: number }>(STILL_HELD, [
      [...leaked, ...unheld.map((o) => o.orderId)],
    ]);
    return new Map(rows.map((r) => [r.order_id, r.units]));
  });
  for (const id of leaked) {
    const units = stillHeld.get(id);
    if (units === undefined) continue;
    violations.push(
      `${shortId(id)} (${orders.get(id)?.state ?? 'no such order'}) still holds ${plural(units, 'unit')}`,
    );
  }
  const unheldNow = unheld.filter((o) => !stillHeld.has(o.orderId)).map((o) => o.orderId);
  // …and the orders too: a cancellation requested in between releases a confirmed order's stock.
  const stillConfirmed = await readDatabase(ctx, 'orders', (client) => readOrders(client, unheldNow));
  for (const id of unheldNow) {
    if (stillConfirmed.get(id)?.state === 'confirmed') violations.push(`${shortId(id)} (confirmed) holds no stock`);
  }

  const units = [...inventory.held.values()].reduce((sum, n) => sum + n, 0);
  return {
    violations,
    headline: `${plural(violations.length, 'stock discrepancy', 'stock discrepancies')}`,
    summary: `${plural(inventory.skus.length, 'SKU')} balanced; ${plural(units, 'unit')} held by ${plural(inventory.held.size, 'live reservation')}`,
  };
}

// ---- no-orphan-charge ------------------------------------------------------------------------

// Money the bank holds: a charge not refunded. (A refund that came before its charge leaves a
// refunded row of 0, which holds nothing.) Payments charges with the order id as reference.
const HELD_CHARGES = `SELECT reference, amount_cents FROM charges WHERE refunded_at IS NULL AND amount_cents > 0`;
const STILL_UNREFUNDED = `${HELD_CHARGES} AND reference = ANY($1)`;

/**
 * No charge without an order or a refund: every charge the bank still holds belongs to an
 * order that is confirmed (or still pending, or being cancelled: its saga has yet to decide or
 * to refund). A cancelled or failed order's charge, or one for an order orders never had, is
 * money taken for nothing; payments' row for it says where its refund stands.
 */
async function noOrphanCharge(ctx: CheckContext): Promise<InvariantReport> {
  const held = await readDatabase(
    ctx,
    'bank',
    async (client) => (await client.query<{ reference: string; amount_cents: string }>(HELD_CHARGES)).rows,
  );
  const orders = await readDatabase(ctx, 'orders', (client) =>
    readOrders(
      client,
      held.map((c) => c.reference),
    ),
  );
  const suspects = held.filter(({ reference }) => {
    const state = orders.get(reference)?.state;
    return state === undefined || state === 'cancelled' || state === 'failed';
  });
  // A refund may have reached the bank since the first read.
  const stillHeld = await readDatabase(ctx, 'bank', async (client) => {
    const { rows } = await client.query<{ reference: string }>(STILL_UNREFUNDED, [suspects.map((c) => c.reference)]);
    return new Set(rows.map((r) => r.reference));
  });
  const orphans = suspects.filter((c) => stillHeld.has(c.reference));
  const payments = await readDatabase(ctx, 'payments', async (client) => {
    const { rows } = await client.query<{ order_id: string; status: string; refund_attempts: number }>(
      'SELECT order_id, status, refund_attempts FROM payments WHERE order_id = ANY($1)',
      [orphans.map((c) => c.reference)],
    );
    return new Map(rows.map((r) => [r.order_id, r]));
  });
  const violations = orphans.map(({ reference, amount_cents }) => {
    const state = orders.get(reference)?.state;
    const payment = payments.get(reference);
    const paymentText = payment
      ? `payments: ${payment.status}${payment.refund_attempts ? `, ${plural(payment.refund_attempts, 'refund attempt')}` : ''}`
      : 'payments: no row';
    return `${shortId(reference)} ${money(amount_cents)} held for ${state ? `a ${state} order` : 'no such order'} (${paymentText})`;
  });
  return {
    violations,
    headline: `${plural(violations.length, 'charge')} without a confirmed order or refund`,
    summary: `${plural(held.length, 'charge')} held, each for a confirmed or live order`,
  };
}

// ---- no-duplicate-charge ---------------------------------------------------------------------

// The bank's charges per order (the reference is the order id), counting only those that took
// money. The ledger's primary key makes a second row per reference impossible today: the
// query states the rule on the data, so a change of keying (a reference per attempt) is caught.
const CHARGES_PER_ORDER = `
  SELECT reference, count(*)::int AS n, sum(amount_cents)::bigint AS total, min(charge_id::text) AS charge_id
  FROM charges WHERE amount_cents > 0 GROUP BY reference`;

/**
 * No order charged twice: at most one charge per order at the bank; the charge payments
 * recorded (the id the bank answered) is the one the bank keeps for the order (a second id
 * means a second charge was made and answered); and no charge took more than the order's
 * price (a retried charge added to the first).
 */
async function noDuplicateCharge(ctx: CheckContext): Promise<InvariantReport> {
  const charges = await readDatabase(ctx, 'bank', async (client) => {
    const { rows } = await client.query<{ reference: string; n: number; total: string; charge_id: string }>(
      CHARGES_PER_ORDER,
    );
    return new Map(rows.map((r) => [r.reference, r]));
  });
  const violations: string[] = [];
  for (const { reference, n } of charges.values()) {
    if (n > 1) violations.push(`${shortId(reference)} charged ${n} times`);
  }
  // Payments writes bank_charge_id after the bank answered, so a charge payments recorded
  // after the bank was read is absent from `charges`, not different: only a difference counts.
  const recorded = await readDatabase(
    ctx,
    'payments',
    async (client) =>
      (
        await client.query<{ order_id: string; bank_charge_id: string }>(
          'SELECT order_id, bank_charge_id FROM payments WHERE bank_charge_id IS NOT NULL',
        )
      ).rows,
  );
  for (const { order_id, bank_charge_id } of recorded) {
    const charge = charges.get(order_id);
    if (charge && charge.n === 1 && charge.charge_id !== bank_charge_id) {
      violations.push(
        `${shortId(order_id)} recorded charge ${shortId(bank_charge_id)}, the bank holds ${shortId(charge.charge_id)}`,
      );
    }
  }
  const orders = await readDatabase(ctx, 'orders', (client) => readOrders(client, [...charges.keys()]));
  for (const { reference, total } of charges.values()) {
    const price = orders.get(reference)?.amountCents;
    if (price !== undefined && Number(total) > price) {
      violations.push(`${shortId(reference)} charged ${money(total)} for an order of ${money(price)}`);
    }
  }
  return {
    violations,
    headline: `${plural(violations.length, 'duplicate charge')}`,
    summary: `${plural(charges.size, 'order')} charged, each once`,
  };
}

// ---- messages-processed-once -----------------------------------------------------------------

// Each of an order's events happens once in its life (placed, stock reserved, payment charged,
// an outcome, a cancellation requested; order.cancelled may follow order.confirmed, still
// once): a saga reply or a command processed twice appends its event twice.
const REPEATED_EVENTS = `
  SELECT order_id, type, count(*)::int AS n FROM order_events
  GROUP BY order_id, type HAVING count(*) > 1 ORDER BY min(seq)`;
// What inventory took per order and SKU (released reservations keep their lines).
const RESERVED_LINES = `SELECT order_id, sku, quantity FROM reservation_lines`;
// One reservation, one payment, one bank charge per order: the tables' keys make it so today;
// stated on the data, it stays checked if a key changes.
const REPEATED_RESERVATIONS = `SELECT order_id AS id, count(*)::int AS n FROM reservations GROUP BY order_id HAVING count(*) > 1`;
const REPEATED_PAYMENTS = `SELECT order_id AS id, count(*)::int AS n FROM payments GROUP BY order_id HAVING count(*) > 1`;
const REPEATED_CHARGES = `SELECT reference AS id, count(*)::int AS n FROM charges WHERE amount_cents > 0 GROUP BY reference HAVING count(*) > 1`;

/**
 * The business effect of every message happened once, however often it was delivered (a
 * duplicate delivery, a redelivery after a crash): no order event twice, inventory took what
 * the order asked and not twice that, one payment and one charge per order.
 */
async function messagesProcessedOnce(ctx: CheckContext): Promise<InvariantReport> {
  const violations: string[] = [];
  const repeated = await readDatabase(
    ctx,
    'orders',
    async (client) => (await client.query<{ order_id: string; type: string; n: number }>(REPEATED_EVENTS)).rows,
  );
  for (const { order_id, type, n } of repeated) violations.push(`${shortId(order_id)} ${type} ×${n}`);

  const inventory = await readDatabase(ctx, 'inventory', async (client) => ({
    lines: (await client.query<{ order_id: string; sku: string; quantity: number }>(RESERVED_LINES)).rows,
    repeated: (await client.query<{ id: string; n: number }>(REPEATED_RESERVATIONS)).rows,
  }));
  for (const { id, n } of inventory.repeated) violations.push(`${shortId(id)} reserved ${n} times`);
  const reserved = new Map<string, Record<string, number>>();
  for (const { order_id, sku, quantity } of inventory.lines) {
    const perSku = reserved.get(order_id) ?? {};
    perSku[sku] = (perSku[sku] ?? 0) + quantity;
    reserved.set(order_id, perSku);
  }
  // Items never change after order.placed, and an order is placed before inventory hears of it.
  const orders = await readDatabase(ctx, 'orders', (client) => readOrders(client, [...reserved.keys()]));
  for (const [id, perSku] of reserved) {
    const order = orders.get(id);
    if (order) violations.push(...quantityMismatches(order, perSku));
  }

  const payments = await readDatabase(
    ctx,
    'payments',
    async (client) => (await client.query<{ id: string; n: number }>(REPEATED_PAYMENTS)).rows,
  );
  for (const { id, n } of payments) violations.push(`${shortId(id)} paid ${n} times`);
  const charges = await readDatabase(
    ctx,
    'bank',
    async (client) => (await client.query<{ id: string; n: number }>(REPEATED_CHARGES)).rows,
  );
  for (const { id, n } of charges) violations.push(`${shortId(id)} charged ${n} times`);

  return {
    violations,
    headline: `${plural(violations.length, 'effect')} not once`,
    summary: `${plural(reserved.size, 'reservation')} as ordered; no event, payment or charge twice`,
  };
}

function quantityMismatches(order: OrderRow, reserved: Record<string, number>): string[] {
  const skus = new Set([...Object.keys(order.quantities), ...Object.keys(reserved)]);
  return [...skus]
    .filter((sku) => (reserved[sku] ?? 0) !== (order.quantities[sku] ?? 0))
    .map(
      (sku) =>
        `${shortId(order.orderId)} reserved ${reserved[sku] ?? 0} ${sku} of ${order.quantities[sku] ?? 0} ordered`,
    );
}

// ---- words -----------------------------------------------------------------------------------

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Cents as a person reads an amount: 1890 → 18.90. */
function money(cents: number | string): string {
  return (Number(cents) / 100).toFixed(2);
}
