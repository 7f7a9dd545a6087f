// The per-client rate limit: counted per signed-in user (else per address), 429 with
// Retry-After past it, and the load generator's user on its own higher limit.
// Upstream: a stand-in order-view (the real one is not in the repo yet).
import type { RunningService } from '@hopscope/demo-shared';
import { dropNamespace, uniqueNamespace } from '@hopscope/demo-shared/testing';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type StubServer, call, errorOf, signIn, startGateway, stubServer } from './helpers.ts';

const ns = uniqueNamespace();
let gateway: RunningService;
let orderView: StubServer;

before(async () => {
  orderView = await stubServer((app) => app.get('/orders', (_req, res) => void res.json({ orders: [] })));
  gateway = await startGateway(
    ns,
    { orderView: orderView.url },
    { GATEWAY_RATE_LIMIT_PER_MINUTE: '5', GATEWAY_SYNTHETIC_RATE_LIMIT_PER_MINUTE: '12' },
  );
});

after(async () => {
  await gateway?.stop();
  await orderView?.close();
  await dropNamespace(ns);
});

test('past its limit a user gets 429 with Retry-After; other users are not affected', async () => {
  const bob = await signIn(gateway.url, 'bob'); // counted against this address, not against bob
  const url = `${gateway.url}/api/orders`;
  for (let i = 1; i <= 5; i++) {
    const response = await call(url, { token: bob });
    assert.equal(response.status, 200, `request ${i}`);
    assert.match(response.headers.get('ratelimit') ?? '', new RegExp(`r=${5 - i}; t=\\d+`));
    assert.match(response.headers.get('ratelimit-policy') ?? '', /q=5; w=60/);
  }
  const limited = await call(url, { token: bob });
  assert.equal(limited.status, 429);
  assert.equal(errorOf(limited).code, 'rate_limited');
  assert.match(errorOf(limited).message, /bob.*5 per minute/);
  const retryAfter = Number(limited.headers.get('retry-after'));
  assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After: ${retryAfter}`);

  const carol = await signIn(gateway.url, 'carol');
  assert.equal((await call(url, { token: carol })).status, 200);
});

test('the load generator has its own, higher limit', async () => {
  const token = await signIn(gateway.url, 'load-generator');
  const statuses: number[] = [];
  for (let i = 0; i < 13; i++) statuses.push((await call(`${gateway.url}/api/orders`, { token })).status);
  assert.deepEqual(statuses, [...Array<number>(12).fill(200), 429]);
});

test('without a token the limit is per address', async () => {
  // Three sign-ins were counted above against 127.0.0.1; two more reach the limit of 5.
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await call(`${gateway.url}/api/products`)).status);
  assert.equal(statuses.at(-1), 429);
  assert.ok(statuses.slice(0, -1).every((s) => s !== 429));
});
