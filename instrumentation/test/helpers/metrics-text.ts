// Reading Prometheus/OpenMetrics text as a scraper would: one parser for every test.

/** The samples of metric `name`: their label text (`{a="1",b="2"}`, or empty) and value. */
function* samples(text: string, name: string): Generator<{ labelText: string; value: number }> {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    // OpenMetrics may append an exemplar (` # {trace_id="..."} 0.1`), Prometheus a timestamp.
    const sample = line.split(' # ')[0];
    const labelsEnd = sample.startsWith(`${name}{`) ? sample.lastIndexOf('}') + 1 : name.length;
    const [value] = sample.slice(labelsEnd).trim().split(' ');
    yield { labelText: sample.slice(name.length, labelsEnd), value: Number(value) };
  }
}

/**
 * The value of one sample in Prometheus/OpenMetrics text: the line for `name` whose labels
 * include all of `labels`. Undefined when no such line exists.
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const sample of samples(text, name)) {
    if (Object.entries(labels).every(([key, value]) => sample.labelText.includes(`${key}="${value}"`))) {
      return sample.value;
    }
  }
  return undefined;
}

/** The sum of every sample of `name`, over all its label sets (0 when it has none). */
export function sampleSum(text: string, name: string): number {
  let sum = 0;
  for (const sample of samples(text, name)) sum += sample.value;
  return sum;
}

/** The current one-hot state of a breaker: the states whose gauge reads 1. */
export function breakerStates(text: string, breaker: string): string[] {
  return ['closed', 'open', 'half_open', 'isolated'].filter(
    (state) => metricValue(text, 'hopscope_circuit_breaker_state', { breaker, state }) === 1,
  );
}
