// One hypothesis check, decided: polled until it holds or its deadline passes, or — for a
// check that must hold "throughout" — polled until its phase ends, failing at the first poll
// where it does not hold.
import { setTimeout as sleep } from 'node:timers/promises';
import { type CheckContext, type Observation, substitute } from '../checks/context.ts';
import { evaluateCheck } from '../checks/index.ts';
import type { Check, Phase } from '../scenario/schema.ts';
import type { CheckResult } from './record.ts';

export const DEFAULT_WITHIN_MS = 30_000;

export interface PollOptions {
  phase: Phase;
  context: CheckContext;
  pollMs: number;
  /** Aborted: the run is interrupted. */
  signal: AbortSignal;
  /** Aborted when the phase ends (what a "throughout" check waits for). */
  phaseEnd: AbortSignal;
  evaluate?: (check: Check, context: CheckContext) => Promise<Observation>;
}

export function checkKind(check: Check): CheckResult['kind'] {
  if ('promql' in check) return 'promql';
  if ('jaeger' in check) return 'jaeger';
  if ('logql' in check) return 'logql';
  return 'invariant';
}

export function checkQuery(check: Check, namespace: string): string {
  if ('promql' in check) return `${substitute(check.promql, { namespace })} ${check.expect}`;
  if ('logql' in check) return substitute(check.logql, { namespace });
  if ('jaeger' in check) return JSON.stringify(check.jaeger);
  return check.invariant;
}

export async function pollCheck(check: Check, options: PollOptions): Promise<CheckResult> {
  const evaluate = options.evaluate ?? evaluateCheck;
  const startedAt = Date.now();
  const deadline = startedAt + (check.within ?? DEFAULT_WITHIN_MS);
  const result = (status: CheckResult['status'], seen: Observation | undefined): CheckResult => ({
    phase: options.phase,
    name: check.name,
    kind: checkKind(check),
    query: checkQuery(check, options.context.namespace),
    status,
    startedAt,
    decidedAt: Date.now(),
    observed: seen?.observed ?? 'not evaluated',
    ...(seen?.traceId ? { traceId: seen.traceId } : {}),
  });
  let last: Observation | undefined;
  for (;;) {
    if (options.signal.aborted) return result('interrupted', last);
    // What a query sees is the state when it was sent: a slow answer does not stretch the deadline.
    const askedAt = Date.now();
    last = await evaluate(check, options.context).catch((error: unknown): Observation => ({
      holds: false,
      observed: `check failed to run: ${(error as Error).message}`,
    }));
    // A query cut short by the interruption says nothing about the system.
    if (options.signal.aborted) return result('interrupted', last);
    if (check.throughout) {
      if (!last.holds) return result('failed', last);
      if (options.phaseEnd.aborted) return result('held', last);
    } else {
      if (last.holds) return result('held', last);
      if (askedAt >= deadline) return result('failed', last);
    }
    const wait = AbortSignal.any([options.signal, ...(check.throughout ? [options.phaseEnd] : [])]);
    // The last poll is at the deadline itself, not up to a poll interval after it.
    const pause = check.throughout ? options.pollMs : Math.min(options.pollMs, Math.max(0, deadline - Date.now()));
    await sleep(pause, undefined, { signal: wait }).catch(() => undefined);
  }
}
