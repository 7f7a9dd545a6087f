// The fault knobs every demo service has, as data: their names, their settings with the
// allowed ranges, and the validation an admin request goes through. No HTTP or AMQP here:
// http-faults.ts and message-faults.ts decide what a knob does to a request or a message.

export class FaultError extends Error {
  readonly code = 'invalid_fault';
  /** The fault (unknown name) or `<fault>.<field>` (bad value) the request got wrong. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

interface NumberField {
  min: number;
  max: number;
  /** Absent: the field is required. */
  fallback?: number;
  integer: boolean;
}

const MS: NumberField = { min: 0, max: 60_000, fallback: 0, integer: true };

/** Each fault's fields; a fault without fields takes an empty body (or none). */
const CATALOG = {
  'http.latency': { fixedMs: MS, jitterMs: MS },
  'http.error-rate': {
    rate: { min: 0, max: 1, integer: false },
    status: { min: 500, max: 599, fallback: 500, integer: true },
  },
  'http.down': {},
  'messages.latency': { fixedMs: MS, jitterMs: MS },
  'messages.error-rate': { rate: { min: 0, max: 1, integer: false } },
  'messages.down': {},
  crash: {},
  'slow-consumer': { delayMs: { min: 0, max: 60_000, integer: true } },
} satisfies Record<string, Record<string, NumberField>>;

export type FaultName = keyof typeof CATALOG;
export type FaultSettings<N extends FaultName = FaultName> = { [K in keyof (typeof CATALOG)[N]]: number };

export const FAULT_NAMES = Object.keys(CATALOG) as FaultName[];

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(CATALOG, name);
}

/** `name` as a known fault, else a FaultError naming it and the known ones. */
export function faultName(name: string): FaultName {
  if (!isFaultName(name)) {
    throw new FaultError(name, `unknown fault ${JSON.stringify(name.slice(0, 80))}; known: ${FAULT_NAMES.join(', ')}`);
  }
  return name;
}

/** Checks a fault's name and settings (a parsed JSON body; undefined = none), filling defaults. */
export function parseFault(raw: string, body: unknown): { name: FaultName; settings: FaultSettings } {
  const name = faultName(raw);
  const fields = CATALOG[name] as Record<string, NumberField>;
  const input = body ?? {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FaultError(name, `${name}: the settings must be a JSON object`);
  }
  const settings: Record<string, number> = {};
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(fields, key)) {
      const allowed = Object.keys(fields);
      throw new FaultError(
        `${name}.${key}`,
        `${name} has no setting ${JSON.stringify(key.slice(0, 80))}; ${allowed.length ? `allowed: ${allowed.join(', ')}` : 'it takes none'}`,
      );
    }
  }
  for (const [key, field] of Object.entries(fields)) {
    const value = (input as Record<string, unknown>)[key] ?? field.fallback;
    const range = `${field.integer ? 'an integer' : 'a number'} from ${field.min} to ${field.max}`;
    if (value === undefined) throw new FaultError(`${name}.${key}`, `${name}.${key} is required: ${range}`);
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!field.integer || Number.isInteger(value)) &&
      value >= field.min &&
      value <= field.max;
    if (!ok) throw new FaultError(`${name}.${key}`, `${name}.${key}=${JSON.stringify(value)}: must be ${range}`);
    settings[key] = value;
  }
  return { name, settings };
}

/** The delay a latency knob adds to one request or message: the fixed part plus uniform jitter. */
export function latencyMs(settings: { fixedMs: number; jitterMs: number }, random: () => number = Math.random): number {
  return settings.fixedMs + random() * settings.jitterMs;
}
