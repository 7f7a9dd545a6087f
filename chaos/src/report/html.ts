// Every string in a run record came from a query or from telemetry (labels, span names, what
// a check observed), so the report is built with a template tag that escapes whatever it is
// given unless it is already markup this module made. Forgetting to escape then takes effort.

/** Markup built by `html` (or trusted by `raw`): inserted into other templates as is. */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ENTITIES[char]);
}

/** What a template takes: markup, or plain values it escapes (objects are refused, not printed as `[object Object]`). */
export type Interpolation = SafeHtml | string | number | boolean | undefined | null | readonly Interpolation[];

function insert(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(insert).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** Markup with every interpolated value escaped (arrays are joined; undefined, null and false are dropped). */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, index) => {
    out += insert(value) + strings[index + 1];
  });
  return new SafeHtml(out);
}

/** Markup this module generated itself (CSS, numbers it formatted): never a string from the record. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** `value` as a URL if it is http(s); anything else (javascript:, data:, garbage) is no link at all. */
export function httpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
