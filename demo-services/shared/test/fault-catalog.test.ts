// A service's catalog: the common knobs plus its own, which must carry its name, and which
// no other service's catalog accepts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAULT_NAMES, FaultCatalog, FaultError, parseFault } from '../src/chaos/faults.ts';

const OWN = { 'shop.flood': { perSecond: { min: 1, max: 100, fallback: 10, integer: true } } };

test("a service's own knobs are accepted by its catalog, with defaults filled in", () => {
  const catalog = new FaultCatalog(OWN, 'shop');
  assert.deepEqual(catalog.parse('shop.flood', {}), { name: 'shop.flood', settings: { perSecond: 10 } });
  assert.deepEqual(catalog.names, [...FAULT_NAMES, 'shop.flood']);
  assert.deepEqual(Object.keys(catalog.fields('shop.flood') ?? {}), ['perSecond']);
  assert.equal(catalog.fields('nope'), undefined);
  assert.deepEqual(parseFault('shop.flood', { perSecond: 5 }, catalog).settings, { perSecond: 5 });
});

test("another service's catalog refuses them, naming the knob and the service", () => {
  for (const catalog of [new FaultCatalog({}, 'payments'), new FaultCatalog()]) {
    assert.throws(
      () => catalog.parse('shop.flood', {}),
      (error: unknown) =>
        error instanceof FaultError &&
        error.field === 'shop.flood' &&
        /unknown fault "shop\.flood"/.test(error.message),
    );
  }
  assert.throws(() => new FaultCatalog({}, 'payments').parse('shop.flood', {}), /on payments/);
  assert.throws(() => parseFault('shop.flood', {}), FaultError);
});

test("a service's own knob must be named <service>.<knob>", () => {
  assert.throws(() => new FaultCatalog(OWN, 'bank'), /shop\.flood/);
  assert.throws(() => new FaultCatalog(OWN), TypeError);
  assert.throws(() => new FaultCatalog({ 'shop.Flood!': {} }, 'shop'), TypeError);
  // A common knob cannot be redefined by a service: its name has no service prefix.
  assert.throws(() => new FaultCatalog({ 'http.down': {} }, 'shop'), TypeError);
});
