// Puts load on a service from bench/load-generator.mjs, in its own process on its own core.
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type Child, ended, startNode } from './processes.ts';

const GENERATOR = fileURLToPath(new URL('./load-generator.mjs', import.meta.url));

export interface LoadResult {
  requestsPerSecond: number;
  p99Ms: number;
  /** Connection errors, timeouts and non-2xx answers. */
  failed: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  cpu: number | undefined;
  /** Either a duration or a number of requests. */
  seconds?: number;
  requests?: number;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const generator: Child = startNode({
    cpu: options.cpu,
    args: [GENERATOR],
    captureStdout: true,
    env: {
      PATH: process.env['PATH'] ?? '',
      BENCH_URL: options.url,
      BENCH_CONNECTIONS: String(options.connections),
      BENCH_DURATION: String(options.seconds ?? 0),
      BENCH_AMOUNT: String(options.requests ?? 0),
    },
  });
  let out = '';
  generator.process.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await once(generator.process, 'close'); // its stdout fully read, not only exited
  await ended(generator, 'load generator');
  const result = JSON.parse(out) as LoadResult;
  if (result.failed > 0 && !(result.requestsPerSecond > 0)) {
    throw new Error(`every request failed (${result.failed})`);
  }
  return result;
}
