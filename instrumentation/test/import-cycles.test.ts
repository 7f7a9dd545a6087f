// No import cycle in src/: in a cycle, one module runs before the other's exports exist, and
// which one depends on which file the user imported first.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import ts from 'typescript';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(SRC, file));
}

/**
 * The files a module imports at runtime: its relative `import`/`export … from` statements.
 * `import type` and `export type` are left out: they are erased and load nothing. (An import
 * of only `{ type X }` is kept: with verbatimModuleSyntax it still loads the module.)
 */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const imported: string[] = [];
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) {
      specifier = statement.moduleSpecifier;
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      specifier = statement.moduleSpecifier;
    }
    if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) {
      imported.push(resolve(dirname(file), specifier.text));
    }
  }
  return imported;
}

/** The cycles a depth-first walk meets (at least one if there is any), each as the chain of files that closes it. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): void => {
    const onPath = path.indexOf(file);
    if (onPath !== -1) {
      cycles.push([...path.slice(onPath), file]);
      return;
    }
    if (done.has(file)) return;
    path.push(file);
    for (const next of graph.get(file) ?? []) visit(next);
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return cycles;
}

test('the modules in src/ import one another without a cycle', () => {
  const graph = new Map(sourceFiles().map((file) => [file, runtimeImports(file)]));
  const edges = [...graph.values()].reduce((sum, imports) => sum + imports.length, 0);
  assert.ok(graph.size > 40 && edges > 60, `the walk found ${graph.size} files and ${edges} imports`);
  for (const imports of graph.values()) {
    for (const file of imports) assert.ok(graph.has(file), `${relative(SRC, file)} is imported but not in src/`);
  }
  const cycles = findCycles(graph).map((cycle) => cycle.map((file) => relative(SRC, file)).join(' → '));
  assert.deepEqual(cycles, []);
});

test('the cycle check finds a cycle', () => {
  const cycles = findCycles(
    new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]),
  );
  assert.deepEqual(cycles, [['a', 'b', 'c', 'a']]);
});
