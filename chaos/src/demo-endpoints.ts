// Where the running demo is: `npm run demo` (and demo:up, and the tests' DemoSystem) write
// .demo/endpoints.json once everything is ready, with the chaos admin APIs and their token
// (the file is readable by its owner only).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DemoEndpoints {
  gateway: string;
  jaeger: string;
  prometheus: string;
  loki: string;
  namespace: string;
  /** The real broker and database server (messages are injected and invariants read there). */
  amqpUrl: string;
  databaseUrl: string;
  /** Each service's instances. */
  instances: Record<string, string[]>;
  chaos?: {
    token: string;
    /** Each instance's chaos admin API, by service. */
    services: Record<string, string[]>;
    /** The demo runner's own admin API: broker, database, collector and process faults. */
    infra: string;
  };
}

export const ENDPOINTS_FILE = join(fileURLToPath(new URL('../..', import.meta.url)), '.demo', 'endpoints.json');

export class DemoNotFoundError extends Error {
  readonly code = 'CHAOS_NO_DEMO';
}

/** The running demo's endpoints, with chaos on; a clear error when there is none. */
export function readDemoEndpoints(
  file: string = ENDPOINTS_FILE,
): DemoEndpoints & { chaos: NonNullable<DemoEndpoints['chaos']> } {
  let endpoints: DemoEndpoints;
  try {
    endpoints = JSON.parse(readFileSync(file, 'utf8')) as DemoEndpoints;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DemoNotFoundError(
        `no running demo (${file} does not exist): start it with \`npm run demo\` or \`npm run demo:up\``,
      );
    }
    throw new DemoNotFoundError(`${file}: ${(error as Error).message}`);
  }
  if (!endpoints.chaos) {
    throw new DemoNotFoundError(
      `the demo runs without its chaos admin APIs (HOPSCOPE_CHAOS=off): restart it without that setting`,
    );
  }
  return endpoints as DemoEndpoints & { chaos: NonNullable<DemoEndpoints['chaos']> };
}
