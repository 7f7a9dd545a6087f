/** A logger that keeps what it is told, for asserting on the lines a helper writes. */
export function captureLogger() {
  const lines: Array<{ level: 'info' | 'warn'; msg: string } & Record<string, unknown>> = [];
  return {
    lines,
    info: (fields: object, msg: string) => lines.push({ ...fields, level: 'info', msg }),
    warn: (fields: object, msg: string) => lines.push({ ...fields, level: 'warn', msg }),
  };
}
