import { type SpanContext, TraceFlags, trace } from '@opentelemetry/api';
import type { Histogram } from 'prom-client';
import { Registry, register as globalRegistry } from './prom-client-parts.ts';
import { activeTelemetry } from '../telemetry-state.ts';

/** The registry a helper records on: the one given, else the one `start()` set up, else prom-client's global one. */
export function resolveRegistry(registry?: Registry): Registry {
  return registry ?? activeTelemetry()?.metrics.registry ?? globalRegistry;
}

/**
 * Creates a family of metrics once per registry. Many breakers, sagas or consumers share one
 * family (told apart by labels), and prom-client refuses to register a name twice.
 */
export function perRegistry<T>(create: (registry: Registry) => T): (registry: Registry) => T {
  const families = new WeakMap<Registry, T>();
  return (registry) => {
    let family = families.get(registry);
    if (!family) {
      family = create(registry);
      families.set(registry, family);
    }
    return family;
  };
}

/** The exemplar for a sampled span: its trace and span id (what Grafana links to Jaeger). */
export function exemplarOf(spanContext: SpanContext | undefined): Record<string, string> | undefined {
  if (!spanContext || (spanContext.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/** prom-client only keeps exemplars on OpenMetrics registries (and throws on the others). */
export function supportsExemplars(registry: Registry): boolean {
  return (registry.contentType as string) === Registry.OPENMETRICS_CONTENT_TYPE;
}

/**
 * Observes a duration, with the span (by default the active one) as exemplar when it is
 * sampled. A histogram with exemplars enabled takes only the object form of observe().
 */
export function observeDuration(
  histogram: Histogram<string>,
  labels: Record<string, string>,
  seconds: number,
  spanContext: SpanContext | undefined = trace.getActiveSpan()?.spanContext(),
): void {
  if ((histogram as { enableExemplars?: boolean }).enableExemplars) {
    histogram.observe({ labels, value: seconds, exemplarLabels: exemplarOf(spanContext) ?? {} });
  } else {
    histogram.observe(labels, seconds);
  }
}
