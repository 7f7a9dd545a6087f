// Colours shared by the charts, the waterfall and the order figures. Red is kept for faults,
// failed checks and error spans, so no series line or service is drawn in it.

export const SERIES_COLORS = [
  '#2563eb',
  '#059669',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#65a30d',
  '#475569',
  '#ea580c',
  '#0d9488',
] as const;

export const ERROR_COLOR = '#dc2626';

/** The same colour for the same service everywhere in one report, in order of first appearance. */
export function colorIndex(): (key: string) => string {
  const seen = new Map<string, string>();
  return (key) => {
    let color = seen.get(key);
    if (!color) {
      color = SERIES_COLORS[seen.size % SERIES_COLORS.length]!;
      seen.set(key, color);
    }
    return color;
  };
}

/** Where an order's final status sits: ended well, undone, went wrong, or still moving. */
export function statusColor(status: string): string {
  const word = status.toLowerCase();
  if (/(complet|confirm|ship|deliver|paid|succe)/.test(word)) return '#059669';
  if (/(compensat|cancel|refund|revert)/.test(word)) return '#d97706';
  if (/(fail|reject|error|dead)/.test(word)) return ERROR_COLOR;
  return '#64748b';
}
