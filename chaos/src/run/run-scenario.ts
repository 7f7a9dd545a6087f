// One run of a scenario against the live demo: its own orders flow from start to end; the
// "before" checks establish the steady state; the faults go on at their times and the
// "during" checks watch them bite; every fault goes off (always: also on a failure or a
// Ctrl-C); the "after" checks watch the system recover. The record says what held.
import { setTimeout as sleep } from 'node:timers/promises';
import { type CheckContext, substitute } from '../checks/context.ts';
import { fetchSeries } from '../checks/prometheus.ts';
import { fetchTrace } from '../checks/jaeger.ts';
import type { DemoEndpoints } from '../demo-endpoints.ts';
import { type AppliedFault, applyFault } from '../faults/apply-fault.ts';
import type { Check, Fault, Phase, Scenario } from '../scenario/schema.ts';
import { orderFigures } from './order-figures.ts';
import { OrderTraffic } from './order-traffic.ts';
import { pollCheck } from './poll-check.ts';
import type { CheckResult, FaultEvent, RunRecord, SeriesData, TraceData } from './record.ts';
import { jaegerSearchUrl } from './links.ts';

export type RunEvent =
  | { type: 'phase'; phase: Phase; at: number }
  | { type: 'fault'; event: FaultEvent; state: 'on' | 'off' | 'skipped'; detail?: string }
  | { type: 'check-start'; phase: Phase; name: string; within: number | 'throughout' }
  | { type: 'check'; result: CheckResult }
  | { type: 'note'; text: string };

export interface RunOptions {
  endpoints: DemoEndpoints & { chaos: NonNullable<DemoEndpoints['chaos']> };
  /** Shortens the scenario's durations (faults and the "during" phase; 0 < scale ≤ 1), never a check's deadline. @default 1 */
  timeScale?: number;
  /** Everything but the faults: shows which checks depend on them (they must fail). @default false */
  withoutFaults?: boolean;
  /** End the run at the first failed check. @default false */
  failFast?: boolean;
  /** Orders per second placed by the run, instead of the scenario's. */
  ordersPerSecond?: number;
  /** How often a pending check is polled. @default 2000 */
  pollMs?: number;
  /** Abort = interrupted (Ctrl-C): every fault set is turned off, the record says so. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
}

export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunRecord> {
  const { endpoints } = options;
  const scale = options.timeScale ?? 1;
  const emit = options.onEvent ?? (() => undefined);
  const stopRun = new AbortController();
  const signal = AbortSignal.any([stopRun.signal, ...(options.signal ? [options.signal] : [])]);
  const startedAt = Date.now();
  const checks: CheckResult[] = [];
  const phases: RunRecord['phases'] = [];
  const faultEvents: FaultEvent[] = [];
  const traffic = new OrderTraffic(endpoints.gateway, options.ordersPerSecond ?? scenario.ordersPerSecond ?? 1);
  const context = (windowStart: number): CheckContext => ({
    prometheus: endpoints.prometheus,
    jaeger: endpoints.jaeger,
    loki: endpoints.loki,
    databaseUrl: endpoints.databaseUrl,
    namespace: endpoints.namespace,
    windowStart,
    signal,
  });

  const runChecks = async (phase: Phase, list: readonly Check[], phaseEnd: AbortSignal, windowStart: number) =>
    Promise.all(
      list.map(async (check) => {
        emit({
          type: 'check-start',
          phase,
          name: check.name,
          within: check.throughout ? 'throughout' : (check.within ?? 30_000),
        });
        const result = await pollCheck(check, {
          phase,
          context: context(windowStart),
          pollMs: options.pollMs ?? 2000,
          signal,
          phaseEnd,
        });
        checks.push(result);
        emit({ type: 'check', result });
        if (result.status === 'failed' && options.failFast) stopRun.abort();
        return result;
      }),
    );

  const phase = async (name: Phase, body: (phaseEnd: AbortController) => Promise<void>) => {
    if (signal.aborted) return;
    const started = Date.now();
    emit({ type: 'phase', phase: name, at: started });
    const phaseEnd = new AbortController();
    try {
      await body(phaseEnd);
    } finally {
      phases.push({ phase: name, startedAt: started, endedAt: Date.now() });
    }
  };

  const applied: Array<{ fault: AppliedFault; event: FaultEvent; on: boolean }> = [];
  const turnOff = async (entry: (typeof applied)[number]) => {
    if (!entry.on) return;
    entry.on = false;
    try {
      await entry.fault.off();
      entry.event.off = Date.now();
      emit({ type: 'fault', event: entry.event, state: 'off' });
    } catch (error) {
      entry.event.error = `turning it off failed: ${(error as Error).message}`;
      emit({ type: 'fault', event: entry.event, state: 'off', detail: entry.event.error });
    }
  };

  /** One fault: on at its time, off after its `for`; never throws (a failure is the fault's event error). */
  const applyAtItsTime = async (fault: Fault): Promise<void> => {
    await sleep((fault.at ?? 0) * scale, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) return;
    const event: FaultEvent = { label: `${fault.target} ${fault.fault}`, on: Date.now() };
    faultEvents.push(event);
    let made: AppliedFault;
    try {
      made = applyFault(fault, endpoints);
      event.label = made.label;
    } catch (error) {
      event.error = (error as Error).message;
      emit({ type: 'fault', event, state: 'on', detail: `failed: ${event.error}` });
      return;
    }
    if (options.withoutFaults) {
      emit({ type: 'fault', event, state: 'skipped', detail: 'run without faults' });
      return;
    }
    // Marked on before the call: a call that fails halfway may have turned it on somewhere.
    const entry = { fault: made, event, on: made.lasts };
    applied.push(entry);
    try {
      const detail = await made.on();
      emit({ type: 'fault', event, state: 'on', ...(detail ? { detail } : {}) });
    } catch (error) {
      event.error = (error as Error).message;
      emit({ type: 'fault', event, state: 'on', detail: `failed: ${event.error}` });
      return;
    }
    if (made.lasts && 'for' in fault && fault.for !== undefined) {
      await sleep(fault.for * scale, undefined, { signal }).catch(() => undefined);
      await turnOff(entry);
    }
  };

  // Faults waiting for their time; a run that ends early waits for them to give up, so that
  // none turns on after the cleanup below.
  let timed: Array<Promise<void>> = [];
  await traffic.start();
  try {
    try {
      await phase('before', async (end) => {
        const list = scenario.hypothesis.before ?? [];
        const pending = runChecks('before', list, end.signal, startedAt);
        end.abort(); // "before" checks that must hold throughout are checked once, at the start.
        await pending;
      });

      await phase('during', async (end) => {
        const during = Date.now();
        const list = scenario.hypothesis.during ?? [];
        timed = scenario.faults.map((fault) => applyAtItsTime(fault));
        const checked = runChecks(
          'during',
          list.filter((c) => !c.throughout),
          end.signal,
          during,
        );
        const throughout = runChecks(
          'during',
          list.filter((c) => c.throughout),
          end.signal,
          during,
        );
        // The phase lasts its duration, and until every check decided and every timed fault ran.
        await Promise.all([
          sleep(scenario.duration * scale, undefined, { signal }).catch(() => undefined),
          checked,
          ...timed,
        ]);
        end.abort();
        await throughout;
      });
    } catch (error) {
      stopRun.abort();
      throw error;
    } finally {
      // Whatever happened above: nothing the run turned on stays on.
      await Promise.allSettled(timed);
      for (const entry of applied) await turnOff(entry);
    }

    await phase('after', async (end) => {
      const list = scenario.hypothesis.after ?? [];
      const after = Date.now();
      const checked = runChecks(
        'after',
        list.filter((c) => !c.throughout),
        end.signal,
        after,
      );
      const throughout = runChecks(
        'after',
        list.filter((c) => c.throughout),
        end.signal,
        after,
      );
      await checked;
      end.abort();
      await throughout;
    });
  } finally {
    await traffic.stop();
  }

  const endedAt = Date.now();
  const interrupted = options.signal?.aborted ?? false;
  // A fault that did not go on (or off) as written makes the run fail, whatever the checks said.
  const faultFailed = faultEvents.some((event) => event.error !== undefined);
  const verdict = interrupted
    ? 'interrupted'
    : checks.every((c) => c.status === 'held') && !faultFailed
      ? 'held'
      : 'failed';
  const stillOn = applied.filter((entry) => entry.event.error?.startsWith('turning it off failed'));
  if (stillOn.length > 0) {
    const labels = stillOn.map((entry) => entry.event.label).join(', ');
    emit({ type: 'note', text: `still on: ${labels} — turn it off with \`npm run chaos -- off\`` });
  } else if (interrupted) {
    emit({ type: 'note', text: 'interrupted: every fault this run turned on is off again' });
  }
  return {
    scenario,
    timeScale: scale,
    startedAt,
    endedAt,
    phases,
    faults: faultEvents,
    checks,
    verdict,
    orders: await orderFigures(endpoints, traffic, !interrupted),
    series: await chartSeries(scenario, endpoints, startedAt, endedAt),
    ...(await exampleTrace(checks, endpoints.jaeger)),
    links: {
      jaegerSearch: jaegerSearchUrl(endpoints.jaeger, scenario.reveals.jaeger, startedAt, endedAt),
      grafanaPanel: scenario.reveals.panel,
    },
  };
}

async function chartSeries(
  scenario: Scenario,
  endpoints: DemoEndpoints,
  startedAt: number,
  endedAt: number,
): Promise<SeriesData[]> {
  // About 200 points per line, never finer than Prometheus' scrape interval makes sense of.
  const stepS = Math.max(2, Math.ceil((endedAt - startedAt) / 1000 / 200));
  return Promise.all(
    scenario.charts.map(async (chart) => {
      const promql = substitute(chart.promql, endpoints);
      const lines = await fetchSeries(endpoints.prometheus, promql, startedAt, endedAt, stepS).catch(() => []);
      return { title: chart.title, promql, lines };
    }),
  );
}

async function exampleTrace(checks: CheckResult[], jaeger: string): Promise<{ trace?: TraceData }> {
  const traceId =
    checks.find((c) => c.kind === 'jaeger' && c.traceId)?.traceId ?? checks.find((c) => c.traceId)?.traceId;
  if (!traceId) return {};
  const trace = await fetchTrace(jaeger, traceId).catch(() => undefined);
  return trace ? { trace } : {};
}
