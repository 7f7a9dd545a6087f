// The one table of instrumented libraries is what the README shows and what the package does:
// the README's table is generated from it (this test prints the expected rows when they
// differ), and every row's instrumentation makes spans under the scope the row names.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { InstrumentationBase } from '@opentelemetry/instrumentation';
import { INSTRUMENTED_LIBRARIES, type InstrumentedLibrary } from '../src/instrumented-libraries.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const HEADER = ['library', 'what you get', 'instrumentation', 'loaded before start'];

const LOADED_BEFORE_START: Record<InstrumentedLibrary['mechanism'], string> = {
  package: 'not instrumented (startup warning)',
  'node-core': 'instrumented (patched in place)',
  'diagnostics-channel': 'instrumented (diagnostics channel)',
};

function expectedRows(): string[][] {
  return [
    HEADER,
    ...INSTRUMENTED_LIBRARIES.map((library) => [
      library.module,
      library.gives,
      library.from,
      LOADED_BEFORE_START[library.mechanism],
    ]),
  ];
}

function cells(line: string): string[] {
  return line
    .slice(1, -1)
    .split('|')
    .map((cell) => cell.trim());
}

/** The cells of the README table whose header row is HEADER (the separator row left out). */
function readmeRows(): string[][] {
  const lines = README.split('\n');
  const header = lines.findIndex((line) => line.startsWith('|') && cells(line).join() === HEADER.join());
  assert.ok(header >= 0, `the README has a table headed | ${HEADER.join(' | ')} |`);
  const end = lines.findIndex((line, i) => i > header && !line.startsWith('|'));
  return [lines[header], ...lines.slice(header + 2, end)].map(cells);
}

function markdown(rows: string[][]): string {
  return rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

test("the README's table of instrumented libraries is the table the package uses", () => {
  assert.deepEqual(
    readmeRows(),
    expectedRows(),
    `README.md must hold this table (run prettier on it after pasting):\n${markdown(expectedRows())}`,
  );
});

test("every library's instrumentation makes its spans under the scope its row names", () => {
  for (const library of INSTRUMENTED_LIBRARIES) {
    const instrumentation = library.create({ consumeContext: 'parent', expressLayerSpans: false });
    instrumentation.disable();
    assert.equal(instrumentation.instrumentationName, library.scope, library.module);
  }
});

// A package's instrumentation is created only when one of its row's `hooks` is loaded, and the
// ESM loader hook wraps exactly those modules: they must be the ones the instrumentation hooks.
test("every row's hooks are the modules its instrumentation hooks", () => {
  for (const library of INSTRUMENTED_LIBRARIES) {
    const hooked = new Set<string>();
    for (const expressLayerSpans of [false, true]) {
      const instrumentation = library.create({ consumeContext: 'parent', expressLayerSpans });
      instrumentation.disable();
      const definitions = (instrumentation as Partial<InstrumentationBase>).getModuleDefinitions?.() ?? [];
      for (const definition of definitions) hooked.add(definition.name);
    }
    assert.deepEqual([...library.hooks].sort(), [...hooked].sort(), library.scope);
  }
});
