// The knob table in demo-services/README.md against the catalogs the services validate with:
// every service's common knobs (rows for "all") and each service's own (rows naming it, read
// from the service definitions themselves), with each knob's settings. A knob added, renamed,
// dropped or given another setting fails here until the table says so.
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { test } from 'node:test';
import { FaultCatalog, type FaultSpecs } from '../src/chaos/faults.ts';

const DEMO_SERVICES = new URL('../../', import.meta.url);

interface Row {
  knob: string;
  service: string;
  settings: string[];
}

/** The rows of the table under "## Fault knobs". */
async function documentedKnobs(): Promise<Row[]> {
  const readme = await readFile(new URL('README.md', DEMO_SERVICES), 'utf8');
  const start = readme.indexOf('\n## Fault knobs\n');
  assert.notEqual(start, -1, 'demo-services/README.md has a "## Fault knobs" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [knob = '', service = '', settings = ''] = line.split(' | ').map((cell) => cell.replace(/^\| /, '').trim());
      return {
        knob: knob.replaceAll('`', ''),
        service,
        // The setting names are the `quoted` words before each ":" (e.g. "`rate`: 0–1").
        settings: [...settings.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1] ?? '').sort(),
      };
    });
}

/** Each service's own knobs, from the ServiceDefinition its app.ts exports. */
async function ownKnobsByService(): Promise<Map<string, FaultSpecs>> {
  const owned = new Map<string, FaultSpecs>();
  for (const entry of await readdir(DEMO_SERVICES, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const app = new URL(`${entry.name}/src/app.ts`, DEMO_SERVICES);
    const found = await readFile(app).then(
      () => true,
      () => false,
    );
    if (!found) continue;
    const exported = (await import(app.href)) as Record<string, unknown>;
    for (const value of Object.values(exported)) {
      const definition = value as { name?: unknown; faults?: FaultSpecs; build?: unknown };
      if (typeof definition.name === 'string' && typeof definition.build === 'function' && definition.faults) {
        owned.set(definition.name, definition.faults);
      }
    }
  }
  return owned;
}

const byKnob = (rows: Row[]) => new Map(rows.map((row) => [row.knob, row.settings]));

test("the README's knob table lists every common knob, with its settings, and nothing else", async () => {
  const rows = (await documentedKnobs()).filter((row) => row.service === 'all');
  const catalog = new FaultCatalog();
  assert.deepEqual(
    rows.map((row) => row.knob).sort(),
    [...catalog.names].sort(),
    'the knobs for "all" in the table are the common catalog',
  );
  for (const [knob, settings] of byKnob(rows)) {
    assert.deepEqual(settings, Object.keys(catalog.fields(knob) ?? {}).sort(), `${knob}'s settings`);
  }
});

test("the README's knob table lists each service's own knobs, with their settings", async () => {
  const rows = (await documentedKnobs()).filter((row) => row.service !== 'all');
  const owned = await ownKnobsByService();
  assert.ok(owned.has('bank'), 'the bank has knobs of its own');
  const documentedServices = new Set(rows.map((row) => row.service));
  assert.deepEqual([...documentedServices].sort(), [...owned.keys()].sort(), 'the services with own knobs');
  for (const [service, specs] of owned) {
    const documented = byKnob(rows.filter((row) => row.service === service));
    assert.deepEqual([...documented.keys()].sort(), Object.keys(specs).sort(), `${service}'s knobs`);
    for (const [knob, fields] of Object.entries(specs)) {
      assert.deepEqual(documented.get(knob), Object.keys(fields).sort(), `${knob}'s settings`);
    }
  }
});

test('a knob appears once in the table', async () => {
  const knobs = (await documentedKnobs()).map((row) => row.knob);
  assert.ok(knobs.length > 0);
  assert.deepEqual(knobs, [...new Set(knobs)]);
});
