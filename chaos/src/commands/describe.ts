// `chaos describe <scenario>`: what it breaks, for how long, what to notice, where to look, and
// the hypothesis, phase by phase — the same words chaos/README.md is generated from.
import { PHASES, type Check, type Fault, type Scenario } from '../scenario/schema.ts';

export function describeScenario(scenario: Scenario): string {
  const lines = [
    `${scenario.name} — ${scenario.title}`,
    '',
    scenario.notice.trim(),
    '',
    `faults (the "during" phase lasts at least ${seconds(scenario.duration)}):`,
    ...scenario.faults.map((fault) => `  - ${describeFault(fault)}`),
    '',
    'steady-state hypothesis:',
  ];
  for (const phase of PHASES) {
    const checks = scenario.hypothesis[phase] ?? [];
    if (checks.length === 0) continue;
    lines.push(`  ${phase}:`, ...checks.map((check) => `    - ${check.name} [${describeCheck(check)}]`));
  }
  lines.push(
    '',
    `look at: the panel ${scenario.reveals.panel}; in Jaeger, service ${scenario.reveals.jaeger.service}` +
      (scenario.reveals.jaeger.tags ? ` with tags ${JSON.stringify(scenario.reveals.jaeger.tags)}` : ''),
  );
  return lines.join('\n');
}

export function describeFault(fault: Fault): string {
  const at = fault.at ? ` at +${seconds(fault.at)}` : '';
  const span = 'for' in fault && fault.for !== undefined ? ` for ${seconds(fault.for)}` : '';
  switch (fault.target) {
    case 'broker':
    case 'collector':
      return `${fault.target} ${fault.fault}${at}${span}`;
    case 'database':
      return `database of ${fault.service} ${fault.fault}${fault.settings ? ` (+${fault.settings.latencyMs} ms)` : ''}${at}${span}`;
    case 'process':
      return `SIGKILL ${fault.service}${at}`;
    case 'queue':
      return `${fault.count ?? 1} ${fault.fault} message(s) onto ${fault.queue}${at}`;
    case 'traffic':
      return `a storm of ${fault.settings.rate} requests/s at the gateway${at}${span}`;
    default:
      return `${fault.target} ${fault.fault}${fault.settings ? ` ${JSON.stringify(fault.settings)}` : ''}${at}${span}`;
  }
}

/** `code` wraps a query (Markdown's backticks in the README, nothing in a terminal). */
export function describeCheck(check: Check, code: (query: string) => string = (q) => q): string {
  const when = check.throughout ? 'throughout' : `within ${seconds(check.within ?? 30_000)}`;
  if ('promql' in check) return `PromQL ${code(check.promql)} ${check.expect}, ${when}`;
  if ('logql' in check) {
    const expect = check.expect?.lines ?? '> 0';
    return `LogQL ${code(check.logql)}, lines ${expect}${check.expect?.traceId ? ' each with a trace id' : ''}, ${when}`;
  }
  if ('jaeger' in check) {
    const spans = check.jaeger.spans
      .map((s) => [s.service, s.operation && `"${s.operation}"`, s.error && 'error'].filter(Boolean).join(' '))
      .join(' + ');
    return `Jaeger: a trace of ${check.jaeger.service} with spans ${spans}, ${when}`;
  }
  return `invariant ${code(check.invariant)}, ${when}`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
