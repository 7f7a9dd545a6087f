// `chaos on <target> <fault> [value]` and `chaos off [target]`: a knob turned by hand, for a
// person exploring the demo. A service's knobs go to every instance of it; `broker down`,
// `collector down`, `<service> database.slow <ms>`, `<service> database.down` and
// `<service> kill` go to the demo runner. A value is a number (the knob's first setting),
// `name=value,…`, or a JSON object.
import type { DemoEndpoints } from '../demo-endpoints.ts';
import { AdminClient } from '../faults/admin-client.ts';
import { faultFieldNames } from '../scenario/knobs.ts';
import { DEMO_SERVICE_NAMES } from '../scenario/schema.ts';

type ChaosEndpoints = DemoEndpoints & { chaos: NonNullable<DemoEndpoints['chaos']> };

export class UsageError extends Error {
  readonly code = 'CHAOS_USAGE';
}

const INFRA_TARGETS = ['broker', 'collector'];
const SERVICE_INFRA_FAULTS = ['database.slow', 'database.down', 'kill'];

export async function turnOn(
  endpoints: ChaosEndpoints,
  target: string,
  fault: string,
  value?: string,
): Promise<string> {
  const infra = new AdminClient(endpoints.chaos.infra, endpoints.chaos.token);
  if (INFRA_TARGETS.includes(target)) {
    if (fault !== 'down') throw new UsageError(`${target} has one fault: down`);
    await infra.set(`${target}.down`);
    return `${target} down (until \`npm run chaos -- off ${target}\`)`;
  }
  const service = serviceName(target);
  if (SERVICE_INFRA_FAULTS.includes(fault)) {
    if (fault === 'kill') {
      const reply = await infra.set('process.kill', { service });
      return `killed ${service}: ${JSON.stringify(reply)}`;
    }
    const settings = fault === 'database.slow' ? parseValue(['latencyMs'], fault, value ?? '200') : {};
    await infra.set(fault, { service, ...settings });
    return `${service} ${fault} ${JSON.stringify(settings)}`;
  }
  const fields = faultFieldNames(service, fault);
  if (!fields) throw new UsageError(`${service} has no knob ${fault}; \`npm run chaos -- knobs\` lists them`);
  const settings = value === undefined ? {} : parseValue(fields, fault, value);
  await Promise.all(clientsOf(endpoints, service).map((client) => client.set(fault, settings)));
  return `${service} ${fault} ${JSON.stringify(settings)} on ${clientsOf(endpoints, service).length} instance(s)`;
}

/** Everything off, or one target's faults. */
export async function turnOff(endpoints: ChaosEndpoints, target?: string): Promise<string> {
  const infra = new AdminClient(endpoints.chaos.infra, endpoints.chaos.token);
  if (target === undefined) {
    const services = Object.keys(endpoints.chaos.services);
    await Promise.all([
      infra.clearAll(),
      ...services.flatMap((service) => clientsOf(endpoints, service).map((client) => client.clearAll())),
    ]);
    return `every fault off (${services.length} services, broker, collector, databases)`;
  }
  if (INFRA_TARGETS.includes(target)) {
    await infra.clear(`${target}.down`);
    return `${target} back`;
  }
  const service = serviceName(target);
  await Promise.all([
    ...clientsOf(endpoints, service).map((client) => client.clearAll()),
    infra.clear('database.slow', service),
    infra.clear('database.down', service),
  ]);
  return `${service}: every knob off, its database reachable`;
}

function serviceName(target: string): string {
  if (!(DEMO_SERVICE_NAMES as readonly string[]).includes(target)) {
    throw new UsageError(
      `unknown target ${JSON.stringify(target)}: one of ${[...DEMO_SERVICE_NAMES, ...INFRA_TARGETS].join(', ')}`,
    );
  }
  return target;
}

function clientsOf(endpoints: ChaosEndpoints, service: string): AdminClient[] {
  return (endpoints.chaos.services[service] ?? []).map((url) => new AdminClient(url, endpoints.chaos.token));
}

/** `300` → the first field; `rate=0.5,status=503`; `{"rate":0.5}`. */
export function parseValue(fields: readonly string[], fault: string, value: string): Record<string, number> {
  const text = value.trim();
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text) as Record<string, number>;
    } catch {
      throw new UsageError(`${fault}: ${text} is not valid JSON`);
    }
  }
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    if (fields.length === 0) throw new UsageError(`${fault} takes no value`);
    return { [fields[0]]: Number(text) };
  }
  const settings: Record<string, number> = {};
  for (const pair of text.split(',')) {
    const [key, raw] = pair.split('=');
    if (!key || raw === undefined || !/^-?\d+(\.\d+)?$/.test(raw.trim())) {
      throw new UsageError(
        `${fault}: ${JSON.stringify(pair)} is not name=number (settings: ${fields.join(', ') || 'none'})`,
      );
    }
    settings[key.trim()] = Number(raw);
  }
  return settings;
}
