// Links into Jaeger derived from the run's search link, so a report needs no other setting.
// Jaeger can be served under a base path (`--query.base-path`), so the trace page is found
// next to `/search`, not at the origin's root.
import { httpUrl } from './html.ts';

/** `<jaeger>/trace/<id>`, or undefined when the search link is not an http(s) URL. */
export function jaegerTraceUrl(jaegerSearch: string, traceId: string): string | undefined {
  const search = httpUrl(jaegerSearch);
  if (!search) return undefined;
  const base = /^(.*)\/search\/?$/.exec(search.pathname)?.[1] ?? '';
  return `${search.origin}${base}/trace/${encodeURIComponent(traceId)}`;
}
