// Every panel of every hopscope dashboard shows data. No Grafana server runs on this machine,
// so each query a browser would send — panels, annotations, variables, with the variables at
// "All" and Grafana's macros substituted — goes to the real Prometheus, Loki and Jaeger while
// the demo takes orders and chaos scenarios break it: bank-outage (the breakers, compensations
// and the breaker alert) beside poison-message, duplicate-delivery, slow-consumer and
// rate-limit-storm, then collector-down (dropped telemetry). A query passes once it returned
// data; panels that only show a fault are seen during it.
import assert from 'node:assert/strict';
import test from 'node:test';
import { allDashboards } from '../../grafana/src/all-dashboards.ts';
import { type DashboardQuery, dashboardQueries } from '../../grafana/src/dashboard-queries.ts';
import { BREAKER_OPEN_ALERT } from './helpers/alert-rules.ts';
import { runNamed } from './helpers/chaos.ts';
import { useDemo } from './helpers/demo.ts';
import { eventually } from './helpers/eventually.ts';
import { probeDashboardQueries } from './helpers/probe-dashboard-queries.ts';

const { system } = useDemo({ chaos: true });

interface Alert {
  labels: Record<string, string>;
  state: string;
}

async function firingBreakerAlerts(prometheus: string): Promise<Alert[]> {
  const body = (await (await fetch(`${prometheus}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } };
  return body.data.alerts.filter((a) => a.state === 'firing' && a.labels['alertname'] === BREAKER_OPEN_ALERT);
}

const describe = (q: DashboardQuery) => `${q.dashboard} › ${q.panel} [${q.backend}] ${q.expr}`;

test('every panel, annotation and variable of every dashboard shows data from the real backends during chaos', async () => {
  const { prometheus, loki, jaeger } = system().endpoints();
  const queries = allDashboards().flatMap((d) => dashboardQueries(d.dashboard));
  console.log(`${queries.length} queries over ${allDashboards().length} dashboards`);
  const probe = probeDashboardQueries({ prometheus, loki, jaeger }, queries);

  // The bank breaker's alert: firing while the bank is down (watched during the outage), and
  // resolved once the breaker has closed again.
  const bankOutage = runNamed(system(), 'bank-outage');
  const breakerAlertFired = eventually(
    `${BREAKER_OPEN_ALERT} firing for the bank breaker during bank-outage`,
    async () =>
      (await firingBreakerAlerts(prometheus)).some((a) => a.labels['breaker'] === 'bank') ? true : undefined,
    240_000,
  );
  await Promise.all([
    bankOutage,
    breakerAlertFired,
    ...['poison-message', 'duplicate-delivery', 'slow-consumer', 'rate-limit-storm'].map((name) =>
      runNamed(system(), name, { timeScale: 0.5 }),
    ),
  ]);
  await eventually(
    `${BREAKER_OPEN_ALERT} no longer firing after the bank's recovery`,
    async () => ((await firingBreakerAlerts(prometheus)).length === 0 ? true : undefined),
    60_000,
  );

  await runNamed(system(), 'collector-down', { timeScale: 0.5 });
  const outcomes = await probe.stop();

  const empty = queries.filter((q) => !outcomes.get(q)?.hasData);
  assert.deepEqual(
    empty.map((q) => `${describe(q)} → ${outcomes.get(q)?.detail ?? 'never ran'}`),
    [],
    'queries that never returned data',
  );
});
