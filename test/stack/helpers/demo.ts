import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { dropNamespace, testDatabase, uniqueNamespace } from '@hopscope/demo-shared/testing';
import pg from 'pg';
import { DemoSystem, type DemoOptions } from '../../../stack/demo/system.ts';

/**
 * Starts the whole demo (backends and every service, no load generator) in a namespace of the
 * test's own before a test file's tests; stops it and drops the namespace's databases, queues
 * and exchanges after them, also when a test failed.
 */
export function useDemo(
  options: Omit<DemoOptions, 'namespace' | 'chaosToken'> & {
    /** Chaos on, with a token of the test's own (system().endpoints().chaos). @default false */
    chaos?: boolean;
  } = {},
): {
  system: () => DemoSystem;
  /** A query on one service's own database. */
  sql: <R extends pg.QueryResultRow>(service: string, text: string, values?: unknown[]) => Promise<R[]>;
} {
  const namespace = uniqueNamespace();
  let system: DemoSystem | undefined;
  const pools = new Map<string, pg.Pool>();
  before(async () => {
    const { chaos, ...demoOptions } = options;
    system = await DemoSystem.start({
      ...demoOptions,
      namespace,
      ...(chaos ? { chaosToken: randomBytes(24).toString('hex') } : {}),
    });
  });
  after(async () => {
    for (const pool of pools.values()) await pool.end();
    await system?.stop();
    await dropNamespace(namespace);
  });
  return {
    system: () => {
      if (!system) throw new Error('the demo is not started: use it inside a test');
      return system;
    },
    sql: async <R extends pg.QueryResultRow>(service: string, text: string, values?: unknown[]): Promise<R[]> => {
      let pool = pools.get(service);
      if (!pool) {
        pool = testDatabase(namespace, service);
        pools.set(service, pool);
      }
      return (await pool.query<R>(text, values)).rows;
    },
  };
}
