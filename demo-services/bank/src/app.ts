// bank: the "external" payment provider the payments service calls over HTTP. A plain HTTP
// API (no broker) with its own latency and failures (domain/flakiness.ts), configured by
// BANK_LATENCY_MS, BANK_JITTER_MS and BANK_FAILURE_RATE.
import { type ServiceDefinition, readNumber } from '@hopscope/demo-shared';
import { ChargesSql, MIGRATIONS } from './adapters/charges-sql.ts';
import { bankRoutes } from './adapters/routes.ts';
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
  checkConfig: readFlakiness,
  build({ pool, env }) {
    const flakiness = readFlakiness(env);
    return { routes: bankRoutes(new ChargesSql(pool), () => flakiness) };
  },
};
