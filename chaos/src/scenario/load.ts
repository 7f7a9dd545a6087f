// Reads chaos/*.yaml: parses the YAML, validates it against the schema, then checks what a
// schema cannot — each query's syntax (PromQL and LogQL, with Prometheus' and Grafana's own
// Lezer grammars) and each service knob against the services' fault catalog — so that a
// mistake is refused at load with the file, the line and the reason, not halfway through a run.
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LineCounter, type Node, isNode, parseDocument } from 'yaml';
import type { z } from 'zod';
import { serviceFaultProblem } from './knobs.ts';
import { SCENARIOS_DIR } from './scenarios-dir.ts';
import { PHASES, type Scenario, scenarioSchema } from './schema.ts';

export class ScenarioError extends Error {
  readonly code = 'CHAOS_SCENARIO_INVALID';
  readonly file: string;
  readonly line: number;

  constructor(file: string, line: number, reason: string) {
    super(`${file}:${line}: ${reason}`);
    this.file = file;
    this.line = line;
  }
}

type Path = ReadonlyArray<PropertyKey>;

/** Parses and validates one scenario's text; `file` names it in errors. */
export function parseScenario(text: string, file: string): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const lineOf = (path: Path): number => {
    // The deepest node the path reaches: a missing field is reported at its parent.
    for (let depth = path.length; depth >= 0; depth--) {
      const node: unknown = doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && (node as Node).range) return lines.linePos((node as Node).range![0]).line;
    }
    return 1;
  };
  const [yamlError] = doc.errors;
  if (yamlError) throw new ScenarioError(file, lines.linePos(yamlError.pos[0]).line, yamlError.message.split('\n')[0]);

  const parsed = scenarioSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ScenarioError(file, lineOf(issue.path), describeIssue(issue));
  }
  const scenario = parsed.data;
  const expected = basename(file).replace(/\.ya?ml$/, '');
  if (scenario.name !== expected) {
    throw new ScenarioError(file, lineOf(['name']), `name is ${scenario.name} but the file is ${expected}.yaml`);
  }
  scenario.faults.forEach((fault, index) => {
    if (fault.target === 'broker' || fault.target === 'collector' || fault.target === 'database') return;
    if (fault.target === 'process' || fault.target === 'queue' || fault.target === 'traffic') return;
    const problem = serviceFaultProblem(fault.target, fault.fault, fault.settings);
    if (problem) throw new ScenarioError(file, lineOf(['faults', index, 'fault']), problem);
  });
  scenario.charts.forEach((chart, index) => {
    const problem = syntaxProblem('PromQL', chart.promql);
    if (problem) throw new ScenarioError(file, lineOf(['charts', index, 'promql']), problem);
  });
  for (const phase of PHASES) {
    scenario.hypothesis[phase]?.forEach((check, index) => {
      const path = ['hypothesis', phase, index];
      const problem =
        'promql' in check
          ? syntaxProblem('PromQL', check.promql)
          : 'logql' in check
            ? syntaxProblem('LogQL', check.logql)
            : undefined;
      if (problem) throw new ScenarioError(file, lineOf([...path, 'promql' in check ? 'promql' : 'logql']), problem);
    });
  }
  return scenario;
}

export function loadScenarioFile(file: string): Scenario {
  return parseScenario(readFileSync(file, 'utf8'), file);
}

/** `chaos/<name>.yaml`; an unknown name is an error listing the known ones. */
export function loadScenarioNamed(name: string, dir: string = SCENARIOS_DIR): Scenario {
  const known = scenarioFiles(dir).map((file) => file.replace(/\.yaml$/, ''));
  if (!known.includes(name)) {
    throw new ScenarioError(
      join(dir, `${name}.yaml`),
      0,
      `no scenario named ${JSON.stringify(name)}; known: ${known.join(', ')}`,
    );
  }
  return loadScenarioFile(join(dir, `${name}.yaml`));
}

/** Every scenario in `dir` (chaos/*.yaml), by name; the first invalid one throws. */
export function loadScenarios(dir: string = SCENARIOS_DIR): Scenario[] {
  return scenarioFiles(dir).map((name) => loadScenarioFile(join(dir, name)));
}

function scenarioFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort();
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.join('.') : 'the scenario';
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${where} is missing`;
  if (issue.code === 'unrecognized_keys') return `${where}: unknown field ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_union') {
    // Name the choices rather than zod's nested report: what the author can write there.
    return `${where}: not a known ${issue.path.includes('faults') ? 'fault (see chaos/README.md for the targets and faults)' : 'check (promql, jaeger, logql or invariant, with their fields)'}`;
  }
  return `${where}: ${issue.message}`;
}

/** The first syntax error in a query, as "<language> syntax error at column N: <excerpt>". */
export function syntaxProblem(language: 'PromQL' | 'LogQL', query: string): string | undefined {
  // `$namespace` is substituted at run time; a name stands in for it here.
  const text = query.replaceAll('$namespace', 'namespace');
  const tree = (language === 'PromQL' ? promqlParser : logqlParser).parse(text);
  let at: number | undefined;
  tree.iterate({
    enter(node) {
      if (at === undefined && node.type.isError) at = node.from;
      return at === undefined;
    },
  });
  if (at === undefined) return undefined;
  const excerpt = text.slice(Math.max(0, at - 20), at + 20);
  return `${language} syntax error at column ${at + 1}: …${excerpt}…`;
}
