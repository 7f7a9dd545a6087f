// A handler that fails because a dependency is away (the database restarting, a service
// unreachable) is retried in place until it succeeds, however many times: the message is fine
// and must not be dead-lettered. Any other failure goes the poison-message way.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { type Message, type ServiceDefinition, startService } from '../src/index.ts';
import { isTransient } from '../src/transient-errors.ts';
import { TestBroker, dropNamespace, eventually, testEnv, uniqueNamespace } from '../src/testing.ts';

test('which failures are transient', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  assert.equal(isTransient(refused), true);
  assert.equal(isTransient(new TypeError('fetch failed', { cause: refused })), true);
  assert.equal(isTransient(Object.assign(new Error('terminating connection'), { code: '57P01' })), true);
  assert.equal(isTransient(new Error('timeout exceeded when trying to connect')), true);
  assert.equal(isTransient(Object.assign(new Error('duplicate key'), { code: '23505' })), false);
  assert.equal(isTransient(new Error('a bug')), false);
  assert.equal(isTransient(undefined), false);
});

const ns = uniqueNamespace();
const cleanup: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
  await dropNamespace(ns);
});

test('a transient failure is retried past the poison limit and processed; a bug is dead-lettered', async () => {
  const failuresLeft = new Map<string, number>();
  const handled: string[] = [];
  const probe: ServiceDefinition = {
    name: 'probe',
    migrations: [],
    build({ amqp }) {
      amqp.consume('shipping.events', {
        'order.confirmed': (body: Message<'order.confirmed'>) => {
          const left = failuresLeft.get(body.orderId) ?? 0;
          if (body.customer === 'bug') return Promise.reject(new Error('a bug in the handler'));
          if (left > 0) {
            failuresLeft.set(body.orderId, left - 1);
            return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
          }
          handled.push(body.orderId);
          return Promise.resolve();
        },
      });
      return {};
    },
  };
  const service = await startService(probe, testEnv(ns));
  cleanup.push(() => service.stop());
  await service.ready;
  const broker = await TestBroker.connect(ns);
  cleanup.push(() => broker.close());
  await broker.watchDeadLetters('shipping.events');

  const event = (orderId: string, customer: string) => ({ v: 1, orderId, customer, amountCents: 100, paymentId: 'p' });
  const flaky = randomUUID();
  failuresLeft.set(flaky, 5); // more than the 3 attempts a poison message gets
  broker.publishEvent('order.confirmed', event(flaky, 'alice'));
  const buggy = randomUUID();
  broker.publishEvent('order.confirmed', event(buggy, 'bug'));

  await eventually('the flaky message processed', () => Promise.resolve(handled.includes(flaky) || undefined), 20_000);
  const dead = await broker.waitFor('order.confirmed', (body) => body['orderId'] === buggy, 20_000);
  assert.match(String(dead.headers['x-hopscope-dead-letter-reason']), /a bug in the handler/);
  assert.equal(broker.all('order.confirmed', (body) => body['orderId'] === flaky).length, 0, 'not dead-lettered');
});
