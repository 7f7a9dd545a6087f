// The gateway's own checks on a new order, on top of the shared `placeOrderRequest` schema:
// the Idempotency-Key that makes a retried POST safe, and SKUs that exist in the catalog
// (the schema knows what a SKU looks like, only inventory knows which ones exist).
import type { OrderLine } from '@hopscope/demo-shared';

export interface Product {
  sku: string;
  name: string;
  priceCents: number;
  stock: number;
}

/** Products by SKU. */
export type Catalog = ReadonlyMap<string, Product>;

// Printable ASCII without spaces (as orders accepts it): what a header carries unencoded and unaltered.
const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,128}$/;

/** Why an Idempotency-Key header value is not acceptable, or undefined when it is. */
export function idempotencyKeyProblem(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') {
    return 'the Idempotency-Key header is required: 1-128 printable ASCII characters without spaces, the same for every retry of one order';
  }
  if (!IDEMPOTENCY_KEY.test(value))
    return 'the Idempotency-Key header must be 1-128 printable ASCII characters without spaces';
  return undefined;
}

/** The first line whose SKU the catalog does not have. */
export function firstUnknownSku(
  items: readonly OrderLine[],
  catalog: Catalog,
): { index: number; sku: string } | undefined {
  const index = items.findIndex((line) => !catalog.has(line.sku));
  return index === -1 ? undefined : { index, sku: items[index].sku };
}
