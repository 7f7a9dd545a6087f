// Plain-text tables for the bench's output, and the number formats they share.

/** A row: its cells, or its first cell and one note spanning the others (a failed variant). */
export type Row = string[] | { name: string; note: string };

export function renderTable(header: string[], rows: Row[]): string {
  const cellRows = rows.filter((row): row is string[] => Array.isArray(row));
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cellRows.map((row) => (row[column] ?? '').length)),
  );
  for (const row of rows) {
    if (!Array.isArray(row)) widths[0] = Math.max(widths[0], row.name.length);
  }
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column])))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    ...rows.map((row) => (Array.isArray(row) ? line(row) : `${row.name.padEnd(widths[0])}  ${row.note}`)),
  ].join('\n');
}

/** A table whose first column is left-aligned text and every other column left-aligned too. */
export function renderTextTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join(' | ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('-|-'), ...rows.map(line)].join('\n');
}

export const times = (value: number) => `${value.toFixed(2)}×`;
export const signed = (value: number, digits = 0) => `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
/** Megabytes (10⁶ bytes), the unit the targets use. */
export const megabytes = (bytes: number) => bytes / 1e6;
