// Message contracts: one schema per message type, shared by its producer and its consumers.
// The routing key is the message type; the body carries a version (`v`). A consumer validates
// at the edge and rejects what fails (the poison-message handling dead-letters it with the
// reason), so a bad message never reaches the domain code.
import { z } from 'zod';

const id = z.string().min(1).max(128);
const sku = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a SKU is 1-64 characters of a-z, 0-9 and -');
const cents = z.int().min(0).max(100_000_000);

export const orderLine = z.strictObject({ sku, quantity: z.int().min(1).max(100) });
export type OrderLine = z.infer<typeof orderLine>;

/** The steps of the place-order saga, by name (the orchestrator's table lists them in order). */
export const sagaStep = z.enum(['reserve-stock', 'charge-payment']);
export type SagaStep = z.infer<typeof sagaStep>;

const v1 = { v: z.literal(1) };
// Commands of the place-order saga carry the saga id: participants answer to it.
const command = { ...v1, sagaId: id, orderId: id };

export const MESSAGES = {
  // Orchestrator → participants (exchange `commands`).
  'inventory.reserve': z.strictObject({ ...command, items: z.array(orderLine).min(1).max(20) }),
  'inventory.release': z.strictObject(command),
  'payments.charge': z.strictObject({ ...command, customer: id, amountCents: cents }),
  'payments.refund': z.strictObject(command),
  // Participants → orchestrator: the outcome of one step, in one phase.
  'orders.saga-reply': z.strictObject({
    ...command,
    step: sagaStep,
    phase: z.enum(['execute', 'compensate']),
    ok: z.boolean(),
    reason: z.string().max(500).optional(),
    /** reserve-stock answers with the order's price. */
    amountCents: cents.optional(),
    /** charge-payment answers with the payment's id. */
    paymentId: id.optional(),
  }),
  // Domain events (exchange `events`).
  'order.placed': z.strictObject({
    ...v1,
    orderId: id,
    customer: id,
    items: z.array(orderLine).min(1).max(20),
    placedAt: z.iso.datetime(),
  }),
  'order.confirmed': z.strictObject({ ...v1, orderId: id, customer: id, amountCents: cents, paymentId: id }),
  'order.cancelled': z.strictObject({ ...v1, orderId: id, reason: z.string().max(500) }),
  'order.failed': z.strictObject({ ...v1, orderId: id, reason: z.string().max(500) }),
  'order.cancellation-requested': z.strictObject({ ...v1, orderId: id, sagaId: id }),
  // Zero-payload: ids only; a subscriber fetches the current state (it may be newer than the event).
  'order.status-changed': z.strictObject({ ...v1, orderId: id }),
  'stock.released': z.strictObject({ ...v1, orderId: id, sagaId: id }),
  'payment.refunded': z.strictObject({ ...v1, orderId: id, sagaId: id, amountCents: cents }),
  'shipment.scheduled': z.strictObject({ ...v1, orderId: id, shipmentId: id }),
  'shipment.cancelled': z.strictObject({ ...v1, orderId: id, sagaId: id }),
} as const;

export type MessageType = keyof typeof MESSAGES;
export type Message<T extends MessageType> = z.infer<(typeof MESSAGES)[T]>;

export class ContractError extends Error {
  readonly code = 'CONTRACT_VIOLATION';
  override readonly name = 'ContractError';
  /** Where in the body, e.g. `items[0].quantity` (empty for the whole body). */
  readonly field: string;

  constructor(message: string, field: string) {
    super(message);
    this.field = field;
  }
}

export function isMessageType(type: string): type is MessageType {
  return Object.hasOwn(MESSAGES, type);
}

/** Parses and validates a message body; throws a ContractError naming the first bad field. */
export function parseMessage<T extends MessageType>(type: T, content: Buffer | string): Message<T> {
  let body: unknown;
  try {
    body = JSON.parse(content.toString());
  } catch {
    throw new ContractError(`${type}: body is not JSON`, '');
  }
  return validate(MESSAGES[type], body, type) as Message<T>;
}

/** Validates any value against a schema; throws a ContractError naming the first bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = fieldPath(issue.path);
  throw new ContractError(`${what}: ${field ? `${field}: ` : ''}${issue.message}`, field);
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

// The HTTP contract of placing an order, shared by the gateway (validates at the edge) and
// orders (validates again: it is reachable without the gateway on the internal network).
export const MAX_ORDER_LINES = 20;
export const placeOrderRequest = z.strictObject({ items: z.array(orderLine).min(1).max(MAX_ORDER_LINES) });
export type PlaceOrderRequest = z.infer<typeof placeOrderRequest>;

export const ORDER_STATUSES = ['pending', 'confirmed', 'cancelled', 'failed'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
