// `npm run rebuild`: asks the running order-view to rebuild itself from the orders event log
// (POST /rebuild), and prints how many events and orders it replayed.
// ORDER_VIEW_URL picks the instance (default: local mode's order-view).
const base = (process.env['ORDER_VIEW_URL'] ?? 'http://127.0.0.1:28087').split(',')[0].trim().replace(/\/+$/, '');

const res = await fetch(`${base}/rebuild`, { method: 'POST', signal: AbortSignal.timeout(120_000) }).catch(
  (error: unknown) => {
    process.stderr.write(`order-view at ${base} is not reachable: ${String(error)}\n`);
    process.exit(1);
  },
);
const body = await res.text();
if (!res.ok) {
  process.stderr.write(`rebuild failed: HTTP ${res.status} ${body}\n`);
  process.exit(1);
}
const { events, orders } = JSON.parse(body) as { events: number; orders: number };
process.stdout.write(`order view rebuilt: ${events} events replayed into ${orders} orders\n`);
