// Sign-in and bearer tokens at the front door. Upstreams: order-view is a stand-in (the real
// one is not in the repo yet); these tests are about the gateway's own checks.
import type { RunningService } from '@hopscope/demo-shared';
import { dropNamespace, uniqueNamespace } from '@hopscope/demo-shared/testing';
import { SignJWT } from 'jose';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEV_JWT_SECRET } from '../src/config.ts';
import { type StubServer, call, errorOf, startGateway, stubServer } from './helpers.ts';

const ns = uniqueNamespace();
let gateway: RunningService;
let orderView: StubServer;

before(async () => {
  orderView = await stubServer((app) => app.get('/orders', (_req, res) => void res.json({ orders: [] })));
  gateway = await startGateway(ns, { orderView: orderView.url });
});

after(async () => {
  await gateway?.stop();
  await orderView?.close();
  await dropNamespace(ns);
});

test('a demo user gets a bearer token that opens the protected routes', async () => {
  const issued = await call(`${gateway.url}/auth/token`, { body: { username: 'alice' } });
  assert.equal(issued.status, 200);
  assert.equal(issued.body['token_type'], 'Bearer');
  assert.equal(issued.body['expires_in'], 3600);
  assert.match(issued.body['access_token'] as string, /^[\w-]+\.[\w-]+\.[\w-]+$/);

  const orders = await call(`${gateway.url}/api/orders`, { token: issued.body['access_token'] as string });
  assert.equal(orders.status, 200);
  assert.deepEqual(orders.body, { orders: [] });
  // The gateway tells the service who asks.
  assert.equal(orderView.requests.at(-1)?.headers['x-customer'], 'alice');
  assert.match(orderView.requests.at(-1)?.path ?? '', /^\/orders\?customer=alice&/);
});

test('every demo user can sign in; anyone else gets 401 with a JSON error', async () => {
  for (const username of ['bob', 'carol', 'load-generator']) {
    assert.equal((await call(`${gateway.url}/auth/token`, { body: { username } })).status, 200, username);
  }
  const refused = await call(`${gateway.url}/auth/token`, { body: { username: 'mallory' } });
  assert.equal(refused.status, 401);
  assert.equal(errorOf(refused).code, 'unknown_user');
  assert.match(errorOf(refused).message, /mallory/);

  const noName = await call(`${gateway.url}/auth/token`, { body: {} });
  assert.equal(noName.status, 400);
  assert.equal(errorOf(noName).field, 'username');
});

test('a missing, malformed, forged or expired token is 401 with WWW-Authenticate: Bearer', async () => {
  const url = `${gateway.url}/api/orders`;
  const key = new TextEncoder().encode(DEV_JWT_SECRET);
  const expired = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .setIssuer('hopscope-gateway')
    .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
    .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
    .sign(key);
  const forged = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .setIssuer('hopscope-gateway')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('another-secret-that-is-long-enough-0123456789'));

  const cases: [string, Record<string, string>, RegExp][] = [
    ['missing', {}, /sign in first/],
    ['not bearer', { authorization: 'Basic YWxpY2U6eA==' }, /Bearer <token>/],
    ['garbage', { authorization: 'Bearer not-a-jwt' }, /not valid/],
    ['forged', { authorization: `Bearer ${forged}` }, /not valid/],
    ['expired', { authorization: `Bearer ${expired}` }, /expired/],
  ];
  for (const [name, headers, message] of cases) {
    const response = await call(url, { headers });
    assert.equal(response.status, 401, name);
    // A well-formed challenge: every parameter value a quoted-string (quotes inside escaped).
    assert.match(
      response.headers.get('www-authenticate') ?? '',
      /^Bearer realm="hopscope"(, [a-z_]+="(?:[^"\\]|\\.)*")*$/,
      name,
    );
    assert.equal(errorOf(response).code, 'unauthorized', name);
    assert.match(errorOf(response).message, message, name);
  }
  // The same on every protected route, before any upstream is asked.
  const before = orderView.requests.length;
  for (const path of ['/api/orders/x', '/bff/web/orders', '/bff/mobile/orders/x', '/api/orders/x/cancel']) {
    const response = await call(`${gateway.url}${path}`, { method: path.endsWith('cancel') ? 'POST' : 'GET' });
    assert.equal(response.status, 401, path);
  }
  assert.equal(orderView.requests.length, before);
});

test('an unknown route is a JSON 404', async () => {
  const response = await call(`${gateway.url}/api/nope`);
  assert.equal(response.status, 404);
  assert.equal(errorOf(response).code, 'not_found');
});
