// The reliability figures of a run: the orders it placed, where each ended, and whether money
// or stock went wrong (duplicate charges and stock discrepancies must be 0, whatever broke).
import type { CheckContext } from '../checks/context.ts';
import { evaluateInvariant } from '../checks/invariants.ts';
import type { DemoEndpoints } from '../demo-endpoints.ts';
import { type OrderTraffic, orderStatuses } from './order-traffic.ts';
import type { OrderFigures } from './record.ts';

const TERMINAL = new Set(['confirmed', 'cancelled', 'failed']);

export async function orderFigures(endpoints: DemoEndpoints, traffic: OrderTraffic): Promise<OrderFigures> {
  const ordersUrl = endpoints.instances['orders']?.[0];
  const byStatus = ordersUrl ? await orderStatuses(ordersUrl, traffic.accepted) : {};
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
    notTerminal: Object.entries(byStatus)
      .filter(([status]) => !TERMINAL.has(status))
      .reduce((sum, [, n]) => sum + n, 0),
    duplicateCharges: await culprits('no-duplicate-charge'),
    stockDiscrepancies: await culprits('stock-balanced'),
  };
}
