// Circuit breakers and the resilience policies around them, after Resilience4j's breaker
// dashboard: first whether any breaker is open and since when, then the calls that explain
// why (outcomes, failure rate, rejections, latency), then retries, timeouts and bulkheads.
import { type Dashboard, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { hopscopeDashboard } from '../hopscope-dashboard.ts';
import { DASHBOARD_UIDS } from '../uids.ts';
import { labelVariable } from '../variables.ts';
import {
  callLatencyP99,
  callsByOutcome,
  failureRateAgainstThreshold,
  refusedBankCallTraces,
  rejectedCallsPerSecond,
} from './breakers-calls.ts';
import {
  bulkheadOccupancy,
  bulkheadRejections,
  retriedCallsByResult,
  retryAttemptsByOutcome,
  retryBackoff,
  timeoutsPerSecond,
} from './breakers-policies.ts';
import {
  breakersHalfOpenNow,
  breakersOpenNow,
  stateTimeline,
  timeSinceLastTransition,
  transitionLogLines,
  transitionsPerMinute,
} from './breakers-state.ts';

export function breakersDashboard(): Dashboard {
  return (
    hopscopeDashboard({
      uid: DASHBOARD_UIDS.breakers,
      title: 'Circuit breakers',
      description:
        'Is a breaker open, since when, and why? What do users lose while it is open, and how much do retries, timeouts and bulkheads absorb?',
    })
      // `service` and `breaker` are the names the breaker alerts' dashboard links fill in.
      .variables([
        labelVariable('service', 'service_name', 'hopscope_circuit_breaker_state', 'Service'),
        labelVariable('breaker', 'breaker', 'hopscope_circuit_breaker_state', 'Breaker'),
        labelVariable('policy', 'policy', 'hopscope_retry_calls_total', 'Policy'),
      ])
      .withRow(new RowBuilder('Breaker state'))
      .withPanel(breakersOpenNow())
      .withPanel(breakersHalfOpenNow())
      .withPanel(timeSinceLastTransition())
      .withPanel(stateTimeline())
      .withPanel(transitionsPerMinute())
      .withPanel(transitionLogLines())
      .withRow(new RowBuilder('Calls through the breakers'))
      .withPanel(callsByOutcome())
      .withPanel(failureRateAgainstThreshold())
      .withPanel(rejectedCallsPerSecond())
      .withPanel(callLatencyP99())
      .withPanel(refusedBankCallTraces())
      .withRow(new RowBuilder('Retries, timeouts and bulkheads'))
      .withPanel(retryAttemptsByOutcome())
      .withPanel(retriedCallsByResult())
      .withPanel(retryBackoff())
      .withPanel(timeoutsPerSecond())
      .withPanel(bulkheadOccupancy())
      .withPanel(bulkheadRejections())
      .build()
  );
}
