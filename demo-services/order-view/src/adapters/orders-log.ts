// Reads the orders service's event log (`GET /events?after=<seq>&limit=<n>`), page by page,
// as the integration events it published. What the read model is rebuilt from.
import { ContractError, MESSAGES, type Upstream, validate } from '@hopscope/demo-shared';
import { type OrderEvent, isProjected } from '../domain/order-projection.ts';

const PAGE_SIZE = 1000;

interface LoggedEvent {
  seq: number;
  type: string;
  body: unknown;
}

export interface OrderLog {
  events: OrderEvent[];
  /** Every event read, including types the view does not project. */
  read: number;
}

export async function readOrderLog(orders: Upstream): Promise<OrderLog> {
  const events: OrderEvent[] = [];
  let read = 0;
  let after: number | null = 0;
  while (after !== null) {
    const res = await orders.fetch(`/events?after=${after}&limit=${PAGE_SIZE}`, {
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`orders GET /events?after=${after}: HTTP ${res.status}`);
    const page = (await res.json()) as { events: LoggedEvent[]; next: number | null };
    for (const { seq, type, body } of page.events) {
      read++;
      if (!isProjected(type)) continue;
      try {
        events.push({ type, body: validate(MESSAGES[type], body, type) } as OrderEvent);
      } catch (error) {
        if (error instanceof ContractError) throw new Error(`orders event log, seq ${seq}: ${error.message}`);
        throw error;
      }
    }
    if (page.next !== null && page.next <= after)
      throw new Error(`orders GET /events: next ${page.next} does not move past ${after}`);
    after = page.next;
  }
  return { events, read };
}
