// What a demo service's operator and its callers see from the shared pieces: a bad setting
// stops the service naming the variable; a bad body or message is refused naming the field.
import assert from 'node:assert/strict';
import test from 'node:test';
import { ContractError, parseMessage, placeOrderRequest, validate } from '../src/contracts.ts';
import { ConfigError, readDemoConfig, readUpstreamUrls } from '../src/config.ts';
import { Upstream } from '../src/upstream.ts';

test('a bad setting is refused at startup, naming the variable', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ HOPSCOPE_DEMO_NAMESPACE: 'Shop!' }, /HOPSCOPE_DEMO_NAMESPACE="Shop!"/],
    [{ PORT: 'eighty' }, /PORT="eighty": must be a port number/],
    [{ DATABASE_URL: 'mysql://db' }, /DATABASE_URL: must start with postgres:\/\//],
    [{ AMQP_URL: 'not a url' }, /AMQP_URL: not a URL/],
  ];
  for (const [env, message] of cases)
    assert.throws(
      () => readDemoConfig('orders', env),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, message);
        return true;
      },
    );
  assert.throws(() => readUpstreamUrls('order-view', {}), /ORDER_VIEW_URL is not set/);
  assert.throws(() => readUpstreamUrls('orders', { ORDERS_URL: 'http://a:1,ftp://b' }), /ORDERS_URL: "ftp:\/\/b"/);
});

test('defaults make a service runnable on this machine with no setting at all', () => {
  const config = readDemoConfig('order-view', {});
  assert.equal(config.namespace, 'shop');
  assert.equal(config.port, 8080);
  assert.match(config.databaseUrl, /^postgres:\/\/postgres@127\.0\.0\.1:5432\//);
});

test('a bad request body is refused naming the field', () => {
  const cases: Array<[unknown, string]> = [
    [{ items: [{ sku: 'green-tea', quantity: 0 }] }, 'items[0].quantity'],
    [{ items: [{ sku: 'green-tea', quantity: 101 }] }, 'items[0].quantity'],
    [{ items: [{ sku: 'Green Tea!', quantity: 1 }] }, 'items[0].sku'],
    [{ items: Array.from({ length: 21 }, () => ({ sku: 'green-tea', quantity: 1 })) }, 'items'],
    [{ items: [] }, 'items'],
    [{ items: [{ sku: 'green-tea', quantity: 1 }], coupon: 'FREE' }, ''],
  ];
  for (const [body, field] of cases) {
    assert.throws(
      () => validate(placeOrderRequest, body, 'order'),
      (error: unknown) => {
        assert.ok(error instanceof ContractError, String(error));
        assert.equal(error.field, field, error.message);
        return true;
      },
    );
  }
});

test('a message that fails its contract is a ContractError naming the field; a good one parses', () => {
  const good = { v: 1, orderId: 'o-1', sagaId: 's-1' };
  assert.deepEqual(parseMessage('stock.released', JSON.stringify(good)), good);
  assert.throws(() => parseMessage('stock.released', '{"v": 1'), /stock\.released: body is not JSON/);
  assert.throws(() => parseMessage('stock.released', JSON.stringify({ ...good, v: 2 })), /stock\.released: v:/);
  assert.throws(() => parseMessage('payments.charge', JSON.stringify({ ...good, customer: 'a' })), /amountCents/);
});

test('an upstream with several instances is called round-robin', () => {
  const upstream = new Upstream('orders', ['http://a:1', 'http://b:2']);
  assert.deepEqual([upstream.pick(), upstream.pick(), upstream.pick()], ['http://a:1', 'http://b:2', 'http://a:1']);
});
