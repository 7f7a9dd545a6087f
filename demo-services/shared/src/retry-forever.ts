import { setTimeout as sleep } from 'node:timers/promises';
import type { Log } from './log.ts';

const MAX_DELAY_MS = 5000;

/**
 * Runs `attempt` until it succeeds, waiting 250 ms, 500 ms, … up to 5 s between tries (with
 * jitter, so that restarted services do not knock in step). Logs the first failure and every
 * tenth, and the recovery, so a reader of the logs sees what a service is waiting for.
 */
export async function retryForever<T>(what: string, log: Log, attempt: () => Promise<T>): Promise<T> {
  let delay = 250;
  for (let tries = 1; ; tries++) {
    try {
      const result = await attempt();
      if (tries > 1) log.info({ waited_for: what, tries }, `${what} reachable`);
      return result;
    } catch (error) {
      if (tries === 1 || tries % 10 === 0) log.warn({ waiting_for: what, tries, err: error }, `waiting for ${what}`);
      await sleep(delay * (0.5 + Math.random() / 2));
      delay = Math.min(MAX_DELAY_MS, delay * 2);
    }
  }
}
