// Every query a Grafana user's browser would run for hopscope's dashboards — each panel's
// targets, the annotations and the template variables — with the dashboard's variables and
// Grafana's macros substituted as Grafana substitutes them for a 30-minute range.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

export type Backend = 'prometheus' | 'loki' | 'jaeger';

export interface DashboardQuery {
  dashboard: string;
  /** The panel title, "annotation: <name>" or "variable: <name>". */
  panel: string;
  backend: Backend;
  /** PromQL or LogQL with everything substituted; for Jaeger, the search's fields. */
  expr: string;
  jaeger?: { service: string; operation?: string; tags?: string; limit?: number };
  instant: boolean;
}

/** Grafana's macros for the dashboards' default range (30 min) at a 15 s scrape interval. */
const MACROS: Record<string, string> = {
  // max($__interval + scrape interval, 4 × scrape interval)
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1800s',
  __range_s: '1800',
  __range_ms: '1800000',
};

/** Every variable set to "All": its allValue (hopscope's variables use `.+`). */
export function substitute(text: string, variables: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::[\w]+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (_match, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c) as string;
    const value = MACROS[name] ?? variables[name];
    if (value === undefined) throw new Error(`unknown variable $${name} in ${text}`);
    return value;
  });
}

interface RawTarget {
  refId?: string;
  hide?: boolean;
  datasource?: { type?: string; uid?: string };
  expr?: string;
  instant?: boolean;
  range?: boolean;
  service?: string;
  operation?: string;
  tags?: string;
  limit?: number;
}

export interface RawPanel {
  type: string;
  title?: string;
  datasource?: { type?: string };
  targets?: RawTarget[];
  panels?: RawPanel[];
}

function backendOf(type: string | undefined, where: string): Backend {
  if (type === 'prometheus' || type === 'loki' || type === 'jaeger') return type;
  throw new Error(`${where}: a query on datasource type ${String(type)}`);
}

/** A dashboard's panels, those inside rows included, without the rows. */
export function flatPanels(panels: RawPanel[]): RawPanel[] {
  return panels.flatMap((p) => (p.type === 'row' ? flatPanels(p.panels ?? []) : [p]));
}

export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  const title = dashboard.title ?? '';
  const vars = (dashboard.templating?.list ?? []) as { name: string; allValue?: string; query?: unknown }[];
  const variables = Object.fromEntries(vars.map((v) => [v.name, v.allValue ?? '.+']));
  const queries: DashboardQuery[] = [];

  for (const panel of flatPanels((dashboard.panels ?? []) as RawPanel[])) {
    if (panel.type === 'text') continue;
    const name = panel.title ?? '(untitled)';
    const targets = (panel.targets ?? []).filter((t) => !t.hide);
    if (targets.length === 0) throw new Error(`${title} › ${name}: a panel without a query`);
    for (const target of targets) {
      const backend = backendOf(target.datasource?.type ?? panel.datasource?.type, `${title} › ${name}`);
      const where = { dashboard: title, panel: name, backend };
      if (backend === 'jaeger') {
        const { service = '', operation, tags, limit } = target;
        queries.push({
          ...where,
          expr: `service=${service} ${tags ?? ''}`.trim(),
          jaeger: { service, operation, tags, limit },
          instant: false,
        });
      } else {
        queries.push({
          ...where,
          expr: substitute(target.expr ?? '', variables),
          instant: target.instant === true && target.range !== true,
        });
      }
    }
  }

  for (const annotation of (dashboard.annotations?.list ?? []) as {
    name: string;
    expr?: string;
    datasource?: { type?: string };
  }[]) {
    if (!annotation.expr) continue;
    const backend = backendOf(annotation.datasource?.type, `${title} › annotation ${annotation.name}`);
    queries.push({
      dashboard: title,
      panel: `annotation: ${annotation.name}`,
      backend,
      expr: substitute(annotation.expr, variables),
      instant: false,
    });
  }

  for (const variable of vars) {
    const query = variable.query as { query?: string } | string | undefined;
    const text = typeof query === 'string' ? query : query?.query;
    if (!text) continue;
    queries.push({
      dashboard: title,
      panel: `variable: ${variable.name}`,
      backend: 'prometheus',
      expr: substitute(text, variables),
      instant: true,
    });
  }
  return queries;
}
