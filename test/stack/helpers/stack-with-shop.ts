import { after, before } from 'node:test';
import { Stack } from '../../../stack/runner.ts';
import { Shop } from './shop.ts';

/**
 * Starts the backends and the instrumented shop fixture before a test file's tests, and stops
 * both after them; the getters fail loudly if used outside the tests.
 */
export function useStackWithShop(): { stack: () => Stack; shop: () => Shop } {
  let stack: Stack | undefined;
  let shop: Shop | undefined;
  before(async () => {
    stack = await Stack.start();
    shop = await Shop.start();
  });
  after(async () => {
    await shop?.stop();
    await stack?.stop();
  });
  return {
    stack: () => stack ?? assertStarted('stack'),
    shop: () => shop ?? assertStarted('shop'),
  };
}

function assertStarted(what: string): never {
  throw new Error(`the ${what} is not started: use it inside a test`);
}
