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
  let polls = 0;
  for (;;) {
    if (options.signal.aborted) return result('interrupted', last);
    last = await evaluate(check, options.context).catch((error: unknown): Observation => ({
      holds: false,
      observed: `check failed to run: ${(error as Error).message}`,
    }));
    polls++;
    if (check.throughout) {
      if (!last.holds) return result('failed', last);
      if (options.phaseEnd.aborted && polls > 0) return result('held', last);
    } else {
      if (last.holds) return result('held', last);
      if (Date.now() >= deadline) return result('failed', last);
    }
    const wait = AbortSignal.any([options.signal, ...(check.throughout ? [options.phaseEnd] : [])]);
    await sleep(options.pollMs, undefined, { signal: wait }).catch(() => undefined);
  }
}
