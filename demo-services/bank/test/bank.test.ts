// The "external" bank as the payments service meets it: one charge per reference, refunds,
// a refund that overtakes its charge refusing the late charge, its failures, and bad input.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { type RunningService, startService } from '@hopscope/demo-shared';
import { dropNamespace, testEnv, uniqueNamespace } from '@hopscope/demo-shared/testing';
import { bank } from '../src/app.ts';

const ns = uniqueNamespace();
const services: RunningService[] = [];
let steady: RunningService;
before(async () => {
  steady = await startService(bank, testEnv(ns, { BANK_FAILURE_RATE: '0', BANK_LATENCY_MS: '0', BANK_JITTER_MS: '0' }));
  services.push(steady);
  await steady.ready;
});
after(async () => {
  for (const service of services) await service.stop();
  await dropNamespace(ns);
});

async function post(base: RunningService, path: string, body?: unknown) {
  const response = await fetch(`${base.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test('a reference is charged once: the same charge again answers the first; another amount is refused', async () => {
  const reference = randomUUID();
  const first = await post(steady, '/charges', { reference, amountCents: 1890 });
  assert.equal(first.status, 201);
  const again = await post(steady, '/charges', { reference, amountCents: 1890 });
  assert.equal(again.status, 200);
  assert.equal(again.body['chargeId'], first.body['chargeId']);
  const other = await post(steady, '/charges', { reference, amountCents: 1 });
  assert.equal(other.status, 409);
});

test('a refund gives the money back once; a refund before the charge makes the late charge fail', async () => {
  const reference = randomUUID();
  await post(steady, '/charges', { reference, amountCents: 500 });
  const refunded = await post(steady, `/charges/${reference}/refund`);
  assert.equal(refunded.status, 200);
  assert.equal(refunded.body['refunded'], true);
  assert.equal((await post(steady, `/charges/${reference}/refund`)).status, 200, 'refunding again is a no-op');

  const early = randomUUID();
  const noCharge = await post(steady, `/charges/${early}/refund`);
  assert.equal(noCharge.status, 404, 'nothing to refund yet');
  const late = await post(steady, '/charges', { reference: early, amountCents: 500 });
  assert.equal(late.status, 409, 'the charge that arrives after its refund takes nothing');
  assert.equal((late.body['error'] as Record<string, unknown>)['code'], 'reference_refunded');
});

test('bad input is a 400 naming the field', async () => {
  const cases: Array<[unknown, string]> = [
    [{ reference: '', amountCents: 1 }, 'reference'],
    [{ reference: 'r', amountCents: -1 }, 'amountCents'],
    [{ reference: 'r', amountCents: 1.5 }, 'amountCents'],
  ];
  for (const [body, field] of cases) {
    const response = await post(steady, '/charges', body);
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.equal((response.body['error'] as Record<string, unknown>)['field'], field);
  }
  assert.equal((await post(steady, '/charges', '{"reference":')).status, 400);
});

test('BANK_FAILURE_RATE=1 answers every call 503 and takes no money; a bad setting stops the bank at startup', async () => {
  const failing = await startService(
    bank,
    testEnv(ns, { BANK_FAILURE_RATE: '1', BANK_LATENCY_MS: '0', BANK_JITTER_MS: '0' }),
  );
  services.push(failing);
  await failing.ready;
  const reference = randomUUID();
  const answer = await post(failing, '/charges', { reference, amountCents: 100 });
  assert.equal(answer.status, 503);
  assert.equal((await post(steady, `/charges/${reference}/refund`)).status, 404, 'no charge was recorded');
  await assert.rejects(startService(bank, testEnv(ns, { BANK_FAILURE_RATE: '2' })), /BANK_FAILURE_RATE="2"/);
});
