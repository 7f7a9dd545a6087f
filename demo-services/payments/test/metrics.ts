// Test helper: the package's metrics of a service run in-process. Without the register flag
// the package records into prom-client's global registry (the one /metrics would serve).
import { register } from 'prom-client';

/** The value of one sample, e.g. sample('hopscope_circuit_breaker_state', {breaker: 'bank', state: 'open'}). */
export async function sample(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = register.getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  const found = values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
  return found?.value;
}
