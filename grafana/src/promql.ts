// PromQL idioms the dashboards share.

/**
 * `expr`, or 0 for every series of `baseline` that `expr` lacks (matched on the `on` labels, or
 * on all labels). A Prometheus counter has no series until its first event: a panel about
 * failures or retries would say "No data" in a healthy system, where the truthful answer is 0.
 */
export function zeroWhereAbsent(expr: string, baseline: string, on?: string[]): string {
  return `(${expr} or${on ? ` on (${on.join(', ')})` : ''} 0 * ${baseline})`;
}
