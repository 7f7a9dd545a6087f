// Services (RED): for each service and route, how many requests, how many fail, how slow —
// then the calls each service makes to its peers, its logs and its Node process, so that a slow
// or failing route can be followed to a peer, a log line or a starved event loop.
import { LogsSortOrder } from '@grafana/grafana-foundation-sdk/common';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as LogsPanelBuilder } from '@grafana/grafana-foundation-sdk/logs';
import { hopscopeDashboard } from '../hopscope-dashboard.ts';
import { loki, prom } from '../queries.ts';
import { DASHBOARD_UIDS } from '../uids.ts';
import { labelVariable } from '../variables.ts';
import { type Section, timeseries, withSections } from '../panels.ts';
import { zeroWhereAbsent } from '../promql.ts';

// The span-derived HTTP histograms (instrumentation/src/metrics/span-metrics-processor.ts).
const SERVER_REQUESTS = 'http_server_request_duration_seconds';
const CLIENT_REQUESTS = 'http_client_request_duration_seconds';

const SERVICE = 'service_name=~"$service"';
const SERVICE_AND_ROUTE = `${SERVICE}, http_route=~"$route"`;

/** Requests per second the selected services answered on the selected routes, summed by `by`. */
function requestRate(by: string, extraMatchers = ''): string {
  return `sum by (${by}) (rate(${SERVER_REQUESTS}_count{${SERVICE_AND_ROUTE}${extraMatchers}}[$__rate_interval]))`;
}

/** HTTP calls per second the selected services made, by peer. */
function callRate(by: string, extraMatchers = ''): string {
  return `sum by (${by}) (rate(${CLIENT_REQUESTS}_count{${SERVICE}${extraMatchers}}[$__rate_interval]))`;
}

function latencyQuantile(metric: string, quantile: number, matchers: string, by: string): string {
  return `histogram_quantile(${quantile}, sum by (${by}, le) (rate(${metric}_bucket{${matchers}}[$__rate_interval])))`;
}

function requests(): Section {
  const percentiles = [
    { quantile: 0.5, refId: 'A' },
    { quantile: 0.95, refId: 'B' },
    { quantile: 0.99, refId: 'C' },
  ].map(({ quantile, refId }) =>
    prom(
      latencyQuantile(SERVER_REQUESTS, quantile, SERVICE_AND_ROUTE, 'service_name'),
      `{{service_name}} p${quantile * 100}`,
      refId,
    ).exemplar(true),
  );
  const serverErrors = requestRate('service_name', ', http_response_status_code=~"5.."');
  return {
    title: 'Requests: rate, errors, duration',
    panels: [
      timeseries({
        title: 'Request rate by status',
        description:
          'Requests per second each selected service answered, by HTTP status code. A wall of 429s is the gateway refusing a caller over its rate limit; 5xx are the service failing.',
        unit: 'reqps',
      }).withTarget(
        prom(requestRate('service_name, http_response_status_code'), '{{service_name}} {{http_response_status_code}}'),
      ),
      timeseries({
        title: 'Error ratio (5xx / all)',
        description:
          'Share of requests answered with a 5xx status, per service; a service without a 5xx shows 0. 4xx answers (429 included) are the caller’s mistakes and are not counted.',
        unit: 'percentunit',
      }).withTarget(
        prom(
          `${zeroWhereAbsent(serverErrors, requestRate('service_name'))}\n/ ${requestRate('service_name')}`,
          '{{service_name}}',
        ),
      ),
      timeseries({
        title: 'Latency p50, p95 and p99',
        description:
          'Server-side request duration percentiles per service. The dots are exemplars: each is one real request; click it to open its trace in Jaeger.',
        unit: 's',
      }).targets(percentiles),
      timeseries({
        title: 'Latency p95 by route',
        description:
          'The 95th percentile duration of each route, to find which route of a slow service is slow. Exemplars open traces.',
        unit: 's',
      }).withTarget(
        prom(
          latencyQuantile(SERVER_REQUESTS, 0.95, SERVICE_AND_ROUTE, 'service_name, http_route'),
          '{{service_name}} {{http_route}}',
        ).exemplar(true),
      ),
    ],
  };
}

function outgoingCalls(): Section {
  const byPeer = 'service_name, server_address, server_port';
  const peer = '{{service_name}} → {{server_address}}:{{server_port}}';
  // No status code means no answer: connection refused, reset or timed out.
  const failedCalls = callRate(byPeer, ', http_response_status_code=~"5..|"');
  return {
    title: 'Outgoing HTTP calls by peer',
    panels: [
      timeseries({
        title: 'Outgoing call rate by peer',
        description:
          'HTTP calls per second each selected service makes, by the peer it calls (server address and port).',
        unit: 'reqps',
      }).withTarget(prom(callRate(byPeer), peer)),
      timeseries({
        title: 'Outgoing call failure ratio by peer',
        description:
          'Share of outgoing calls that failed: the peer answered 5xx, or did not answer at all (refused, reset, timed out). 0 while every call succeeds.',
        unit: 'percentunit',
      }).withTarget(prom(`${zeroWhereAbsent(failedCalls, callRate(byPeer))}\n/ ${callRate(byPeer)}`, peer)),
      timeseries({
        title: 'Outgoing call latency p95 by peer',
        description:
          'How long each peer takes to answer, as the caller sees it (network and the peer’s queue included). Exemplars open traces.',
        unit: 's',
      })
        .span(24)
        .withTarget(prom(latencyQuantile(CLIENT_REQUESTS, 0.95, SERVICE, byPeer), peer).exemplar(true)),
    ],
  };
}

function logs(): Section {
  return {
    title: 'Logs',
    panels: [
      timeseries({
        title: 'Warning and error log lines',
        description:
          'Log lines at warn level or above per service, counted by Loki. A rise next to a rise in the error ratio means the service logged why it failed.',
        unit: 'short',
      })
        .span(24)
        .height(6)
        .withTarget(
          loki(
            `sum by (service_name) (count_over_time({${SERVICE}} | severity_text=~"(?i)warn|error|fatal" [$__interval]))`,
            '{{service_name}}',
          ),
        ),
      new LogsPanelBuilder()
        .title('Logs of the selected services')
        .description(
          'The newest log lines of the selected services. Open a line for its fields; its trace_id links to the trace in Jaeger.',
        )
        .span(24)
        .height(12)
        .showTime(true)
        .wrapLogMessage(true)
        .enableLogDetails(true)
        .sortOrder(LogsSortOrder.Descending)
        .withTarget(loki(`{${SERVICE}}`)),
    ],
  };
}

function nodeRuntime(): Section {
  const process = '{{service_name}} {{instance}}';
  return {
    title: 'Node runtime',
    panels: [
      timeseries({
        title: 'Event loop lag p99',
        description:
          'How late the event loop runs a timer (99th percentile, per process). Lag of tens of milliseconds delays every request the process handles.',
        unit: 's',
      }).withTarget(prom(`nodejs_eventloop_lag_p99_seconds{${SERVICE}}`, process)),
      timeseries({
        title: 'Heap used and resident memory',
        description:
          'V8 heap in use and the whole process’s resident memory, per process. A heap that only grows is a leak.',
        unit: 'bytes',
      }).targets([
        prom(`nodejs_heap_size_used_bytes{${SERVICE}}`, `${process} heap used`, 'A'),
        prom(`process_resident_memory_bytes{${SERVICE}}`, `${process} resident`, 'B'),
      ]),
      timeseries({
        title: 'CPU used',
        description:
          'CPU time per second of each process: 100% is one core, and a Node process runs its JavaScript on one.',
        unit: 'percentunit',
      }).withTarget(prom(`rate(process_cpu_seconds_total{${SERVICE}}[$__rate_interval])`, process)),
      timeseries({
        title: 'Time spent in garbage collection',
        description:
          'Share of wall-clock time each process spent in garbage collection pauses, during which it serves nothing.',
        unit: 'percentunit',
      }).withTarget(
        prom(
          `sum by (service_name, instance) (rate(nodejs_gc_duration_seconds_sum{${SERVICE}}[$__rate_interval]))`,
          process,
        ),
      ),
    ],
  };
}

export function servicesDashboard(): Dashboard {
  const dashboard = hopscopeDashboard({
    uid: DASHBOARD_UIDS.services,
    title: 'Services (RED)',
    description:
      'Is each service answering quickly and without errors? If not: on which route, because of which peer it calls, what its logs say, and whether its Node process is starved.',
  })
    // A classic histogram has no series under its base name: the variables read its _count.
    .withVariable(labelVariable('service', 'service_name', `${SERVER_REQUESTS}_count`, 'Service'))
    // All routes includes requests no route matched: the gateway's rate limiter answers 429
    // before routing, so those series have no http_route, and `.+` would hide the storm.
    // (Only Prometheus reads $route; Loki, which refuses `.*`, never does.)
    .withVariable(labelVariable('route', 'http_route', `${SERVER_REQUESTS}_count{${SERVICE}}`, 'Route').allValue('.*'));
  return withSections(dashboard, [requests(), outgoingCalls(), logs(), nodeRuntime()]).build();
}
