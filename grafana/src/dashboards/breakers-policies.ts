// The "Retries, timeouts and bulkheads" row: the policies that sit around a breaker. Retries
// hide failures from users at the cost of extra calls, timeouts bound how long a user waits,
// and a bulkhead caps how many calls one dependency may hold at once.
import type { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { prom } from '../queries.ts';
import { timeseries } from '../panels.ts';
import { zeroWhereAbsent } from '../promql.ts';
import { POLICY } from './breakers-panel-defaults.ts';

// Every attempt of a policy's calls, retries included: a baseline series per policy.
const ATTEMPTS_PER_POLICY = `sum by (policy) (rate(hopscope_retry_attempts_total{${POLICY}}[$__rate_interval]))`;

export function retryAttemptsByOutcome(): TimeseriesPanelBuilder {
  return timeseries({
    title: 'Retry attempts by outcome',
    description:
      'Attempts per second made under each retry policy, first tries included. Failed attempts above the rate of calls given up are failures the retries absorbed — and extra load on the dependency.',
    unit: 'reqps',
  })
    .span(8)
    .withTarget(
      prom(
        `sum by (policy, outcome) (rate(hopscope_retry_attempts_total{${POLICY}}[$__rate_interval]))`,
        '{{policy}} {{outcome}}',
      ),
    );
}

export function retriedCallsByResult(): TimeseriesPanelBuilder {
  return timeseries({
    title: 'Calls through retries, by result',
    description:
      'Calls per second by how they ended: succeeded (first try), succeeded_after_retry (a failure the user never saw) and gave_up (every attempt failed, or the failure was not worth retrying).',
    unit: 'reqps',
  })
    .span(8)
    .withTarget(
      prom(
        `sum by (policy, result) (rate(hopscope_retry_calls_total{${POLICY}}[$__rate_interval]))`,
        '{{policy}} {{result}}',
      ),
    );
}

export function retryBackoff(): TimeseriesPanelBuilder {
  return timeseries({
    title: 'Calls waiting in retry backoff',
    description:
      'Seconds spent waiting between attempts, per second: on average, how many calls are asleep before their next try. Backoff is exponential with jitter, so that the retries of many callers do not hit a recovering dependency at the same moment. 0 while nothing is retried.',
    unit: 'short',
  })
    .span(8)
    .withTarget(
      prom(
        zeroWhereAbsent(
          `sum by (policy) (rate(hopscope_retry_backoff_seconds_sum{${POLICY}}[$__rate_interval]))`,
          `sum by (policy) (rate(hopscope_retry_calls_total{${POLICY}}[$__rate_interval]))`,
        ),
        '{{policy}}',
      ),
    );
}

export function timeoutsPerSecond(): TimeseriesPanelBuilder {
  return timeseries({
    title: 'Timeouts',
    description:
      'Calls per second a timeout policy cancelled because the dependency had not answered in time (the gateway: 3 s per attempt). Each one is also an event on the call span.',
    unit: 'reqps',
  })
    .span(8)
    .withTarget(
      prom(
        zeroWhereAbsent(
          `sum by (policy) (rate(hopscope_timeout_timeouts_total{${POLICY}}[$__rate_interval]))`,
          ATTEMPTS_PER_POLICY,
        ),
        '{{policy}}',
      ),
    );
}

export function bulkheadOccupancy(): TimeseriesPanelBuilder {
  return timeseries({
    title: 'Bulkhead calls running and queued',
    description:
      'Calls holding a bulkhead slot and calls waiting for one, per policy (the gateway: 32 slots and 64 queue places per upstream). A full bulkhead keeps one slow dependency from taking every request the gateway serves.',
    unit: 'short',
  })
    .span(8)
    .withTarget(prom(`sum by (policy) (hopscope_bulkhead_active_calls{${POLICY}})`, '{{policy}} running', 'A'))
    .withTarget(prom(`sum by (policy) (hopscope_bulkhead_queued_calls{${POLICY}})`, '{{policy}} queued', 'B'));
}

export function bulkheadRejections(): TimeseriesPanelBuilder {
  return timeseries({
    title: 'Bulkhead rejections',
    description:
      'Calls per second refused because every slot and queue place was taken (the gateway answers 503 upstream_busy with Retry-After: 1).',
    unit: 'reqps',
  })
    .span(8)
    .withTarget(
      prom(
        zeroWhereAbsent(
          `sum by (policy) (rate(hopscope_bulkhead_rejected_total{${POLICY}}[$__rate_interval]))`,
          `sum by (policy) (hopscope_bulkhead_active_calls{${POLICY}})`,
        ),
        '{{policy}}',
      ),
    );
}
