// The checks a steady-state hypothesis is made of, one backend each: PromQL (Prometheus),
// traces (Jaeger), LogQL (Loki), invariants (the services' databases). evaluateCheck answers
// once; polling until `within` and `throughout` are the runner's.
import type { Check } from '../scenario/schema.ts';
import { type CheckContext, type Observation, substitute } from './context.ts';
import { evaluateInvariant } from './invariants.ts';
import { evaluateJaeger } from './jaeger.ts';
import { evaluateLogQL } from './loki.ts';
import { evaluatePromQL } from './prometheus.ts';

export type { CheckContext, Observation } from './context.ts';
export { substitute } from './context.ts';
export { INITIAL_STOCK, inspectInvariant } from './invariants.ts';
export type { InvariantReport } from './invariants.ts';
export { fetchTrace } from './jaeger.ts';
export { fetchSeries } from './prometheus.ts';

/** Whether the check holds now, and what was seen. Rejects only when `ctx.signal` aborts. */
export function evaluateCheck(check: Check, ctx: CheckContext): Promise<Observation> {
  if ('promql' in check) return evaluatePromQL(substitute(check.promql, ctx), check.expect, ctx);
  if ('logql' in check) return evaluateLogQL(substitute(check.logql, ctx), check.expect, ctx);
  if ('jaeger' in check) {
    const { tags, ...rest } = check.jaeger;
    const substituted = tags
      ? Object.fromEntries(Object.entries(tags).map(([key, value]) => [key, substitute(value, ctx)]))
      : undefined;
    return evaluateJaeger({ ...rest, ...(substituted ? { tags: substituted } : {}) }, ctx);
  }
  return evaluateInvariant(check.invariant, ctx);
}
