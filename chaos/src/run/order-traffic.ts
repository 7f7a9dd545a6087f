// The run's own orders: a steady trickle placed at the gateway from the first check to the
// last, as a person would (their traces are kept by tail sampling, unlike the load
// generator's synthetic ones), so that the saga runs while the faults are on and every
// order can be followed to its end.
import { GatewayClient } from '@hopscope/demo-load/gateway-client';
import { SKUS } from '@hopscope/demo-load/mix';
import { randomUUID } from 'node:crypto';

/** The person the run orders as. */
export const TRAFFIC_USER = 'carol';

export class OrderTraffic {
  private readonly client: GatewayClient;
  private readonly perSecond: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private next = 0;
  placed = 0;
  /** Ids of the orders the gateway accepted (202). */
  readonly accepted: string[] = [];
  /** Refused placements by HTTP status (0 = no reply). */
  readonly refused = new Map<number, number>();

  constructor(gatewayUrl: string, perSecond: number) {
    this.client = new GatewayClient(gatewayUrl, 10_000, TRAFFIC_USER);
    this.perSecond = perSecond;
  }

  async start(): Promise<void> {
    if (this.perSecond === 0) return;
    await this.client.signIn();
    this.timer = setInterval(() => this.placeOne(), 1000 / this.perSecond);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private placeOne(): void {
    // Everyday products only: the scarce one's compensations would blur what a fault causes.
    const sku = SKUS[this.next++ % SKUS.length];
    this.placed++;
    const call = this.client.placeOrder([{ sku, quantity: 1 }], randomUUID()).then(
      (reply) => {
        const orderId = (reply.body as { orderId?: unknown } | undefined)?.orderId;
        if (reply.status === 202 && typeof orderId === 'string') this.accepted.push(orderId);
        else this.refused.set(reply.status, (this.refused.get(reply.status) ?? 0) + 1);
      },
      () => this.refused.set(0, (this.refused.get(0) ?? 0) + 1),
    );
    this.inFlight.add(call);
    void call.finally(() => this.inFlight.delete(call));
  }
}

/** Each order's status as the orders service (the source of truth) has it now. */
export async function orderStatuses(ordersUrl: string, orderIds: readonly string[]): Promise<Record<string, number>> {
  const byStatus: Record<string, number> = {};
  for (const orderId of orderIds) {
    const response = await fetch(`${ordersUrl}/orders/${encodeURIComponent(orderId)}`, {
      signal: AbortSignal.timeout(5000),
    }).catch(() => undefined);
    const status = response?.ok ? String(((await response.json()) as { status?: unknown }).status) : 'unknown';
    if (response && !response.ok) await response.arrayBuffer();
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }
  return byStatus;
}
