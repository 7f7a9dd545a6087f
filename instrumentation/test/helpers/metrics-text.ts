/**
 * The value of one sample in Prometheus/OpenMetrics text: the line for `name` whose labels
 * include all of `labels`. Undefined when no such line exists.
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split('}')[0] ?? '';
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) {
      return Number(line.split(' # ')[0].trim().split(' ').at(-1));
    }
  }
  return undefined;
}

/** The current one-hot state of a breaker: the states whose gauge reads 1. */
export function breakerStates(text: string, breaker: string): string[] {
  return ['closed', 'open', 'half_open', 'isolated'].filter(
    (state) => metricValue(text, 'hopscope_circuit_breaker_state', { breaker, state }) === 1,
  );
}
