// Links a person follows from the verdict and the report to the same data in the UIs.

/** Jaeger's search page for the scenario's service and tags over the run's time range. */
export function jaegerSearchUrl(
  jaeger: string,
  search: { service: string; tags?: Record<string, string> | undefined },
  startMs: number,
  endMs: number,
): string {
  const query = new URLSearchParams({
    service: search.service,
    start: String(startMs * 1000),
    end: String(endMs * 1000),
    limit: '20',
  });
  if (search.tags) query.set('tags', JSON.stringify(search.tags));
  return `${jaeger}/search?${query.toString()}`;
}

export function jaegerTraceUrl(jaeger: string, traceId: string): string {
  return `${jaeger}/trace/${traceId}`;
}
