// The calls row: what the breakers let through and what they refused — calls by outcome, the
// failure rate that trips a breaker, the calls users lose while one is open, and how long the
// calls that reached the dependency took.
import type { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { GraphThresholdsStyleMode } from '@grafana/grafana-foundation-sdk/common';
import { ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { jaeger, prom } from '../queries.ts';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { timeseries } from '../panels.ts';
import { zeroWhereAbsent } from '../promql.ts';
import { BREAKER } from './breakers-panel-defaults.ts';

/** The colour of each call outcome, the same on every panel that splits calls by outcome. */
const OUTCOME_COLORS = { success: 'green', failure: 'red', timeout: 'purple', rejected: 'orange' } as const;

// The failure rate no metric or label exports: payments' opossum breaker `bank` opens at 50 %
// failed calls over its 10 s rolling window once 5 calls were made (errorThresholdPercentage 50,
// volumeThreshold 5 in demo-services/payments/src/adapters/bank-client.ts). The gateway's
// breakers have no rate threshold: cockatiel's ConsecutiveBreaker opens on 5 failures in a row
// (GATEWAY_BREAKER_FAILURES).
const RATE_THRESHOLDS: Record<string, number> = { bank: 0.5 };

export function callsByOutcome(): TimeseriesPanelBuilder {
  const panel = timeseries({
    title: 'Calls by outcome',
    description:
      'Calls per second through each breaker: success, failure (the call failed), timeout (no answer in time; counted as a failure by the breaker) and rejected (refused by an open or half-open breaker without calling the dependency).',
    unit: 'reqps',
  }).withTarget(
    prom(
      `sum by (breaker, outcome) (rate(hopscope_circuit_breaker_calls_total{${BREAKER}}[$__rate_interval]))`,
      '{{breaker}} {{outcome}}',
    ),
  );
  for (const [outcome, color] of Object.entries(OUTCOME_COLORS))
    panel.overrideByRegexp(`.* ${outcome}$`, [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }]);
  return panel;
}

export function failureRateAgainstThreshold(): TimeseriesPanelBuilder {
  const panel = timeseries({
    title: 'Failure rate against the threshold',
    description:
      "Failed share (failure or timeout) of the calls in each breaker's own window (the worst instance), shown once the window holds its minimum number of calls. The dashed line is the rate at which the breaker opens — drawn for bank (50 %, its configuration in payments); the gateway's breakers open on 5 consecutive failures instead, whatever the rate.",
    unit: 'percentunit',
  })
    .min(0)
    .max(1)
    .withTarget(
      // -1 means "too few calls in the window to judge": not a rate, so not drawn.
      prom(`max by (breaker) (hopscope_circuit_breaker_failure_rate{${BREAKER}} >= 0)`, '{{breaker}}'),
    );
  for (const [breaker, threshold] of Object.entries(RATE_THRESHOLDS))
    panel.overrideByName(breaker, [
      {
        id: 'thresholds',
        value: {
          mode: ThresholdsMode.Absolute,
          steps: [
            { value: null, color: 'green' },
            { value: threshold, color: 'red' },
          ],
        },
      },
      { id: 'custom.thresholdsStyle', value: { mode: GraphThresholdsStyleMode.DashedAndArea } },
    ]);
  return panel;
}

export function rejectedCallsPerSecond(): TimeseriesPanelBuilder {
  return timeseries({
    title: 'Calls rejected while open',
    description:
      "Calls per second a breaker refused without calling its dependency: the user impact of an open breaker. Payments declines the charge (the order's saga compensates); the gateway answers 503 with Retry-After.",
    unit: 'reqps',
  }).withTarget(
    prom(
      zeroWhereAbsent(
        `sum by (breaker) (rate(hopscope_circuit_breaker_calls_total{${BREAKER}, outcome="rejected"}[$__rate_interval]))`,
        `sum by (breaker) (rate(hopscope_circuit_breaker_calls_total{${BREAKER}}[$__rate_interval]))`,
      ),
      '{{breaker}}',
    ),
  );
}

export function callLatencyP99(): TimeseriesPanelBuilder {
  return timeseries({
    title: 'Call latency p99',
    description:
      "99th percentile duration of the calls each breaker let through (rejections, which take microseconds, are left out). Diamonds are exemplars: a slow call's trace, one click away in Jaeger.",
    unit: 's',
  }).withTarget(
    prom(
      `histogram_quantile(0.99, sum by (le, breaker) (rate(hopscope_circuit_breaker_call_duration_seconds_bucket{${BREAKER}, outcome!="rejected"}[$__rate_interval])))`,
      '{{breaker}}',
    ).exemplar(true),
  );
}

/**
 * A Jaeger search for the payments calls the bank breaker refused: a span records the breaker's
 * name and its state as the call went through it, so `state=open` finds the refused ones.
 */
export function refusedBankCallTraces(): TablePanelBuilder {
  return new TablePanelBuilder()
    .title('Traces of calls the open bank breaker refused')
    .description(
      "Payments' traces whose bank call met an open breaker: each shows the order's saga declining the charge and compensating, without a call to the bank. Click a trace id to open it.",
    )
    .span(24)
    .height(8)
    .withTarget(jaeger('payments', 'hopscope.circuit_breaker.name=bank hopscope.circuit_breaker.state=open'));
}
