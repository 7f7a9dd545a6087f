// What the load does, as data: the share of each action and what each sends. Plain functions
// of a random source, so that a test can pin them down.

export type Action = 'place' | 'read' | 'list' | 'cancel' | 'bad';

/** Weights (per cent) of the steady mix. Bad requests are a small share, as in real traffic. */
export const MIX: ReadonlyArray<readonly [Action, number]> = [
  ['place', 45],
  ['read', 22],
  ['list', 15],
  ['cancel', 15],
  ['bad', 3],
];

/** Everyday products with large stocks. */
export const SKUS = ['espresso-beans', 'green-tea', 'moka-pot', 'milk-frother'] as const;
/** Stock 3: the occasional order of it runs out, and the saga compensates. */
export const SCARCE_SKU = 'gold-teapot';
const SCARCE_SHARE = 0.02;

export interface OrderLine {
  sku: string;
  quantity: number;
}

export type Random = () => number;

/** The next action; reading or cancelling needs an order placed earlier, else it places one. */
export function pickAction(random: Random, havePlacedOrders: boolean): Action {
  let roll = random() * 100;
  for (const [action, weight] of MIX) {
    roll -= weight;
    if (roll < 0) return !havePlacedOrders && (action === 'read' || action === 'cancel') ? 'place' : action;
  }
  return 'place';
}

/** One to three distinct lines; now and then one of the scarce product. */
export function orderLines(random: Random): OrderLine[] {
  const count = 1 + Math.floor(random() * 3);
  const pool: string[] = [...SKUS];
  const lines: OrderLine[] = [];
  for (let i = 0; i < count; i++) {
    const [sku] = pool.splice(Math.floor(random() * pool.length), 1);
    lines.push({ sku: sku, quantity: 1 + Math.floor(random() * 3) });
  }
  if (random() < SCARCE_SHARE) lines[0] = { sku: SCARCE_SKU, quantity: 1 };
  return lines;
}

export interface BadRequest {
  /** What is wrong, for the report. */
  kind: 'missing-idempotency-key' | 'zero-quantity' | 'unknown-sku';
  sendIdempotencyKey: boolean;
  lines: OrderLine[];
}

/** A request the gateway must refuse with 400 and a JSON error naming the problem. */
export function badRequest(random: Random): BadRequest {
  const roll = Math.floor(random() * 3);
  if (roll === 0) return { kind: 'missing-idempotency-key', sendIdempotencyKey: false, lines: orderLines(random) };
  if (roll === 1) return { kind: 'zero-quantity', sendIdempotencyKey: true, lines: [{ sku: SKUS[0], quantity: 0 }] };
  return { kind: 'unknown-sku', sendIdempotencyKey: true, lines: [{ sku: 'no-such-sku', quantity: 1 }] };
}
