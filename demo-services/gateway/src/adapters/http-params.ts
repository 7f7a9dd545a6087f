// Reading path and query parameters the same way in the API and the BFF routes.
import { HttpError } from '@hopscope/demo-shared';
import type { Request } from 'express';

const MAX_ID_LENGTH = 128;

/** The `:id` of an order route; an id no service could hold is simply not found. */
export function orderIdParam(req: Request): string {
  const id = req.params['id'];
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw new HttpError(404, 'order_not_found', 'no such order');
  }
  return id;
}

/** `?limit=` for order lists: 1-100, default 20. */
export function limitParam(req: Request): number {
  const raw = req.query['limit'];
  if (raw === undefined) return 20;
  const limit = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new HttpError(400, 'invalid_request', 'limit must be a whole number from 1 to 100', 'limit');
  }
  return limit;
}

export function orderNotFound(orderId: string): HttpError {
  return new HttpError(404, 'order_not_found', `no order ${orderId} for this customer`);
}
