// The fault knobs, as data: their names, their settings with the allowed ranges, and the
// validation an admin request goes through. Every service has the common knobs; a service
// definition may add its own (`<service>.<knob>`, e.g. the bank's `bank.timeout`), which only
// that service's catalog accepts. No HTTP or AMQP here: http-faults.ts and message-faults.ts
// (and the service that owns an extra knob) decide what a knob does to a request or a message.

export class FaultError extends Error {
  readonly code = 'invalid_fault';
  /** The fault (unknown name) or `<fault>.<field>` (bad value) the request got wrong. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

export interface NumberField {
  min: number;
  max: number;
  /** Absent: the field is required. */
  fallback?: number;
  integer: boolean;
}

/** A knob's settings: field name → its range. A knob without fields takes an empty body (or none). */
export type FaultFields = Readonly<Record<string, NumberField>>;
/** Knob name → its settings' ranges. */
export type FaultSpecs = Readonly<Record<string, FaultFields>>;
/** A knob's settings once checked (defaults filled in). */
export type Settings = Record<string, number>;
export type SettingsOf<F extends FaultFields> = { [K in keyof F]: number };

const MS: NumberField = { min: 0, max: 60_000, fallback: 0, integer: true };

/** The knobs every service has. */
const COMMON_FAULTS = {
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
} satisfies FaultSpecs;

/** A common knob's name (a service's own knobs are plain strings). */
export type FaultName = keyof typeof COMMON_FAULTS;
export type FaultSettings<N extends FaultName = FaultName> = SettingsOf<(typeof COMMON_FAULTS)[N]>;

export const FAULT_NAMES = Object.keys(COMMON_FAULTS) as FaultName[];

/** Milliseconds from 0 to 60 s, default 0: the range of every latency setting. */
export const MS_FIELD: NumberField = MS;

// A knob name is a label value of hopscope_chaos_fault_active and a URL path segment.
const KNOB_NAME = /^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$/;

/** The knobs one service accepts: the common ones plus its own. */
export class FaultCatalog {
  /** The service whose catalog this is (named in "unknown fault" answers); undefined = the common one. */
  readonly service: string | undefined;
  readonly names: readonly string[];
  private readonly specs: FaultSpecs;

  /** A service's own knobs must be named `<service>.<knob>`, so two services' knobs never collide. */
  constructor(own: FaultSpecs = {}, service?: string) {
    for (const name of Object.keys(own)) {
      if (service === undefined || !name.startsWith(`${service}.`) || !KNOB_NAME.test(name) || isFaultName(name)) {
        throw new TypeError(
          `fault knob ${JSON.stringify(name)}: a service's own knob is named "<service>.<knob>" (lowercase), here "${service ?? '<service>'}.…"`,
        );
      }
    }
    this.service = service;
    this.specs = { ...COMMON_FAULTS, ...own };
    this.names = Object.keys(this.specs);
  }

  has(name: string): boolean {
    return Object.hasOwn(this.specs, name);
  }

  /** A knob's settings with their ranges, in order; undefined when there is no such knob. */
  fields(name: string): FaultFields | undefined {
    return this.has(name) ? this.specs[name] : undefined;
  }

  /** `name` as a known fault, else a FaultError naming it and the known ones. */
  faultName(name: string): string {
    if (!this.has(name)) {
      const of = this.service === undefined ? '' : ` on ${this.service}`;
      throw new FaultError(
        name,
        `unknown fault ${JSON.stringify(name.slice(0, 80))}${of}; known: ${this.names.join(', ')}`,
      );
    }
    return name;
  }

  /** Checks a fault's name and settings (a parsed JSON body; undefined = none), filling defaults. */
  parse(raw: string, body: unknown): { name: string; settings: Settings } {
    const name = this.faultName(raw);
    const fields = this.specs[name] ?? {};
    const input = body ?? {};
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new FaultError(name, `${name}: the settings must be a JSON object`);
    }
    for (const key of Object.keys(input)) {
      if (!Object.hasOwn(fields, key)) {
        const allowed = Object.keys(fields);
        throw new FaultError(
          `${name}.${key}`,
          `${name} has no setting ${JSON.stringify(key.slice(0, 80))}; ${allowed.length ? `allowed: ${allowed.join(', ')}` : 'it takes none'}`,
        );
      }
    }
    const settings: Settings = {};
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
}

/** The catalog of a service without knobs of its own. */
export const COMMON_CATALOG = new FaultCatalog();

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(COMMON_FAULTS, name);
}

/** `name` as a common fault, else a FaultError naming it and the known ones. */
export function faultName(name: string): FaultName {
  return COMMON_CATALOG.faultName(name) as FaultName;
}

/**
 * Checks a fault's name and settings against a service's catalog (@default the common knobs:
 * pass the service's own catalog to accept its knobs too, e.g. the bank's).
 */
export function parseFault(
  raw: string,
  body: unknown,
  catalog: FaultCatalog = COMMON_CATALOG,
): { name: string; settings: Settings } {
  return catalog.parse(raw, body);
}

/** The delay a latency knob adds to one request or message: the fixed part plus uniform jitter. */
export function latencyMs(settings: { fixedMs: number; jitterMs: number }, random: () => number = Math.random): number {
  return settings.fixedMs + random() * settings.jitterMs;
}
