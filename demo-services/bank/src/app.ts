// bank: the "external" payment provider the payments service calls over HTTP. A plain HTTP
// API (no broker) with its own latency and failures (domain/flakiness.ts), configured by
// BANK_LATENCY_MS, BANK_JITTER_MS and BANK_FAILURE_RATE, and chaos knobs of its own, turned
// on and off at run time (domain/bank-faults.ts: timeouts, 5xx bursts, a slow bank).
import { type ServiceDefinition, readNumber } from '@hopscope/demo-shared';
import { ChargesSql, MIGRATIONS } from './adapters/charges-sql.ts';
import { bankChaos } from './adapters/bank-chaos.ts';
import { bankRoutes } from './adapters/routes.ts';
import { BANK_FAULTS } from './domain/bank-faults.ts';
import type { Flakiness } from './domain/flakiness.ts';

function readFlakiness(env: Record<string, string | undefined>): Flakiness {
  return {
    latencyMs: readNumber(env, 'BANK_LATENCY_MS', 40, 0, 60_000),
    jitterMs: readNumber(env, 'BANK_JITTER_MS', 40, 0, 60_000),
    failureRate: readNumber(env, 'BANK_FAILURE_RATE', 0.02, 0, 1),
  };
}

export const bank: ServiceDefinition = {
  name: 'bank',
  migrations: MIGRATIONS,
  usesBroker: false,
  faults: BANK_FAULTS,
  checkConfig: readFlakiness,
  build({ pool, env, faults, log }) {
    const flakiness = readFlakiness(env);
    return { routes: bankRoutes(new ChargesSql(pool), () => flakiness, bankChaos(faults, log)) };
  },
};
