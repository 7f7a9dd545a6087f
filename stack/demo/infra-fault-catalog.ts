// The infrastructure faults the demo runner can set (see infra-faults.ts for what each does),
// as data: their names, their settings, and the validation an infra admin request goes
// through. Same conventions as the services' own knobs (demo-services/shared/src/chaos/faults.ts):
// an unknown name or a bad value is an error naming the fault or `<fault>.<field>`.
import { DEMO_SERVICES } from './services.ts';

export class InfraFaultError extends Error {
  readonly code = 'invalid_fault';
  /** The fault (unknown name) or `<fault>.<field>` (bad value) the request got wrong. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

type Field = 'service' | 'latencyMs';

/** Each fault's fields, all required. */
const CATALOG = {
  /** Every demo AMQP connection cut, new ones refused. */
  'broker.down': [],
  /** One service's database traffic delayed by latencyMs each way. */
  'database.slow': ['service', 'latencyMs'],
  /** One service's database connections cut, new ones refused. */
  'database.down': ['service'],
  /** The OpenTelemetry Collector stopped. */
  'collector.down': [],
  /** Every instance of a service SIGKILLed (instantaneous: its supervisor restarts it). */
  'process.kill': ['service'],
} as const satisfies Record<string, readonly Field[]>;

export type InfraFaultName = keyof typeof CATALOG;
export interface InfraFaultSettings {
  service?: string;
  latencyMs?: number;
}

export const INFRA_FAULT_NAMES = Object.keys(CATALOG) as InfraFaultName[];

const MAX_LATENCY_MS = 60_000;

export function infraFaultName(name: string): InfraFaultName {
  if (!Object.hasOwn(CATALOG, name)) {
    throw new InfraFaultError(
      name,
      `unknown fault ${JSON.stringify(name.slice(0, 80))}; known: ${INFRA_FAULT_NAMES.join(', ')}`,
    );
  }
  return name as InfraFaultName;
}

/** Checks a fault's name and settings (a parsed JSON body; undefined = none). */
export function parseInfraFault(raw: string, body: unknown): { name: InfraFaultName; settings: InfraFaultSettings } {
  const name = infraFaultName(raw);
  const fields: readonly Field[] = CATALOG[name];
  const input = body ?? {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InfraFaultError(name, `${name}: the settings must be a JSON object`);
  }
  for (const key of Object.keys(input)) {
    if (!(fields as readonly string[]).includes(key)) {
      throw new InfraFaultError(
        `${name}.${key}`,
        `${name} has no setting ${JSON.stringify(key.slice(0, 80))}; ${fields.length ? `allowed: ${fields.join(', ')}` : 'it takes none'}`,
      );
    }
  }
  const values = input as Record<string, unknown>;
  const settings: InfraFaultSettings = {};
  if (fields.includes('service')) settings.service = serviceName(name, values['service']);
  if (fields.includes('latencyMs')) {
    const value = values['latencyMs'];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_LATENCY_MS) {
      throw new InfraFaultError(
        `${name}.latencyMs`,
        `${name}.latencyMs=${JSON.stringify(value) ?? 'missing'}: must be an integer from 0 to ${MAX_LATENCY_MS}`,
      );
    }
    settings.latencyMs = value;
  }
  return { name, settings };
}

/** A demo service's name (`service` setting or a DELETE's ?service=), else an error naming the known ones. */
export function serviceName(fault: string, value: unknown): string {
  const names = DEMO_SERVICES.map((s) => s.name);
  if (typeof value !== 'string' || !names.includes(value)) {
    throw new InfraFaultError(
      `${fault}.service`,
      `${fault}.service=${JSON.stringify(typeof value === 'string' ? value.slice(0, 80) : value) ?? 'missing'}: must be one of ${names.join(', ')}`,
    );
  }
  return value;
}
