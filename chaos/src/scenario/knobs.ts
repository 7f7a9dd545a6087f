// The services' fault knobs as the chaos tools see them: the same catalogs the services
// validate with (every service's common knobs, plus the bank's own), so that a scenario file
// or a hand-typed `chaos on` cannot name a knob a service would refuse at run time.
import { BANK_FAULTS } from '@hopscope/demo-bank/faults';
import { FaultCatalog, FaultError, type FaultSpecs } from '@hopscope/demo-shared/chaos-faults';

const OWN_KNOBS: Record<string, FaultSpecs> = { bank: BANK_FAULTS };

/** The catalog `service` validates with (named after it, so a refusal says which service refused). */
export function catalogOf(service: string): FaultCatalog {
  return new FaultCatalog(OWN_KNOBS[service] ?? {}, service);
}

/** Why `service` would refuse this knob, or undefined when it takes it. */
export function serviceFaultProblem(
  service: string,
  fault: string,
  settings: Record<string, number> | undefined,
): string | undefined {
  try {
    catalogOf(service).parse(fault, settings ?? {});
    return undefined;
  } catch (error) {
    if (error instanceof FaultError) return `${service}: ${error.message}`;
    throw error;
  }
}

/** The knob's setting names, in order (the first is what a bare `chaos on … <number>` sets); undefined = no such knob. */
export function faultFieldNames(service: string, fault: string): string[] | undefined {
  const fields = catalogOf(service).fields(fault);
  return fields ? Object.keys(fields) : undefined;
}
