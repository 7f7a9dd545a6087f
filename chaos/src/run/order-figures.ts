// The reliability figures of a run: the orders it placed, where each ended, and whether money
// or stock went wrong (duplicate charges and stock discrepancies must be 0, whatever broke).
import { setTimeout as sleep } from 'node:timers/promises';
import type { CheckContext } from '../checks/context.ts';
import { evaluateInvariant } from '../checks/invariants.ts';
import { type OrderState, TERMINAL_STATES } from '../checks/order-states.ts';
import type { DemoEndpoints } from '../demo-endpoints.ts';
import { type OrderTraffic, orderStatuses } from './order-traffic.ts';
import type { OrderFigures } from './record.ts';

/** How long the orders placed last may take to end, once the run stopped placing them. */
const SETTLE_MS = 30_000;

/** `settle` false (an interrupted run): the statuses as they are, without waiting. */
export async function orderFigures(
  endpoints: DemoEndpoints,
  traffic: OrderTraffic,
  settle = true,
): Promise<OrderFigures> {
  const ordersUrl = endpoints.instances['orders']?.[0];
  const statuses = () => (ordersUrl ? orderStatuses(ordersUrl, traffic.accepted) : Promise.resolve({}));
  const settleBy = Date.now() + (settle ? SETTLE_MS : 0);
  let byStatus = await statuses();
  while (notTerminal(byStatus) > 0 && Date.now() < settleBy) {
    await sleep(1000);
    byStatus = await statuses();
  }
  const context: CheckContext = {
    prometheus: endpoints.prometheus,
    jaeger: endpoints.jaeger,
    loki: endpoints.loki,
    databaseUrl: endpoints.databaseUrl,
    namespace: endpoints.namespace,
    windowStart: 0,
  };
  const culprits = async (name: 'no-duplicate-charge' | 'stock-balanced') => {
    const seen = await evaluateInvariant(name, context).catch(() => undefined);
    // A figure that could not be read is not reported as 0.
    return seen?.count ?? Number.NaN;
  };
  return {
    placed: traffic.placed,
    accepted: traffic.accepted.length,
    byStatus,
    notTerminal: notTerminal(byStatus),
    duplicateCharges: await culprits('no-duplicate-charge'),
    stockDiscrepancies: await culprits('stock-balanced'),
  };
}

function notTerminal(byStatus: Record<string, number>): number {
  return Object.entries(byStatus)
    .filter(([status]) => !TERMINAL_STATES.has(status as OrderState))
    .reduce((sum, [, n]) => sum + n, 0);
}
