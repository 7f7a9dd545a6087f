// grafana/provisioning/ read the way Grafana reads it: YAML whose every string value goes through
// Grafana's environment interpolation (pkg/services/provisioning/values). Grafana splits a value
// on `$$` (a literal `$`), expands `$NAME`, `${NAME}` and the shell's special `$1`, `$?`... in
// each part with Go's os.ExpandEnv, and joins the parts with `$`. A link variable such as
// `${__value.raw}` written with one `$` is thus replaced by an (empty) environment variable
// before Grafana's link code ever sees it. Used by the provisioning test and by the stack test
// that follows the correlations against the real backends.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const PROVISIONING_DIR = join(import.meta.dirname, '..', 'provisioning');

/** What Grafana stores for one provisioned string, and the names it expanded to get there. */
export interface Interpolated {
  value: string;
  /** Environment variables Grafana substituted (an empty name: syntax Go drops, e.g. `${}`). */
  expanded: string[];
}

const isSpecial = (c: string) => /^[*#$@!?\-0-9]$/.test(c);
const isNameChar = (c: string) => /^[A-Za-z0-9_]$/.test(c);

/** Go's os.getShellName: the name after a `$` and how many characters it spans. */
function shellName(s: string): { name: string; width: number } {
  if (s[0] === '{') {
    if (s.length > 2 && isSpecial(s[1]) && s[2] === '}') return { name: s[1], width: 3 };
    const close = s.indexOf('}', 1);
    if (close === 1) return { name: '', width: 2 }; // `${}`: bad syntax, Go drops it
    if (close === -1) return { name: '', width: 1 }; // no closing brace: Go drops `${`
    return { name: s.slice(1, close), width: close + 1 };
  }
  if (s.length > 0 && isSpecial(s[0])) return { name: s[0], width: 1 };
  let width = 0;
  while (width < s.length && isNameChar(s[width])) width++;
  return { name: s.slice(0, width), width };
}

/** Go's os.Expand over one `$$`-free part. */
function expandPart(part: string, env: Record<string, string | undefined>, expanded: string[]): string {
  let out = '';
  let i = 0;
  for (let j = 0; j < part.length; j++) {
    if (part[j] !== '$' || j + 1 >= part.length) continue;
    out += part.slice(i, j);
    const { name, width } = shellName(part.slice(j + 1));
    if (name === '' && width === 0)
      out += '$'; // `$` before anything else stays
    else {
      expanded.push(name);
      out += name === '' ? '' : (env[name] ?? '');
    }
    j += width;
    i = j + 1;
  }
  return out + part.slice(i);
}

/** One provisioned string as Grafana stores it, with `env` as Grafana's environment. */
export function interpolateLikeGrafana(raw: string, env: Record<string, string | undefined> = {}): Interpolated {
  const expanded: string[] = [];
  const value = raw
    .split('$$')
    .map((part) => expandPart(part, env, expanded))
    .join('$');
  return { value, expanded };
}

/** Every string in a parsed document, with its path (`datasources[2].jsonData.tracesToLogsV2.query`). */
export function stringsOf(node: unknown, path = ''): Array<{ path: string; raw: string }> {
  if (typeof node === 'string') return [{ path, raw: node }];
  if (Array.isArray(node)) return node.flatMap((item, i) => stringsOf(item, `${path}[${i}]`));
  if (node && typeof node === 'object')
    return Object.entries(node).flatMap(([key, value]) => stringsOf(value, path ? `${path}.${key}` : key));
  return [];
}

/** A document with every string interpolated as Grafana does (with an empty environment). */
function interpolateTree(node: unknown): unknown {
  if (typeof node === 'string') return interpolateLikeGrafana(node).value;
  if (Array.isArray(node)) return node.map(interpolateTree);
  if (node && typeof node === 'object')
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolateTree(value)]));
  return node;
}

export interface ProvisioningFile {
  /** Relative to grafana/provisioning, e.g. `datasources/hopscope.yaml`. */
  file: string;
  raw: string;
  /** As written. */
  document: unknown;
  /** As Grafana holds it after interpolation. */
  resolved: unknown;
}

/** Every YAML file of one provisioning kind (`datasources`, `dashboards`, ...), parsed. */
export function provisioningFiles(kind: string): ProvisioningFile[] {
  const dir = join(PROVISIONING_DIR, kind);
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => {
      const raw = readFileSync(join(dir, name), 'utf8');
      const document: unknown = parse(raw, { prettyErrors: true });
      return { file: `${kind}/${name}`, raw, document, resolved: interpolateTree(document) };
    });
}

// The shapes hopscope provisions (Grafana's own keys; only what hopscope sets).
export interface DerivedField {
  name: string;
  matcherType?: 'label' | 'regex';
  matcherRegex: string;
  datasourceUid?: string;
  url?: string;
}
/** A span tag a link's `$__tags` uses, renamed to `value` in the target's labels. */
export interface LinkTag {
  key: string;
  value?: string;
}
export interface TracesToLogs {
  datasourceUid: string;
  tags?: LinkTag[];
  spanStartTimeShift?: string;
  spanEndTimeShift?: string;
  customQuery?: boolean;
  query?: string;
}
export interface TracesToMetrics {
  datasourceUid: string;
  tags?: LinkTag[];
  spanStartTimeShift?: string;
  spanEndTimeShift?: string;
  queries: Array<{ name: string; query: string }>;
}
export interface ProvisionedDatasource {
  name: string;
  type: string;
  uid: string;
  url: string;
  jsonData?: {
    exemplarTraceIdDestinations?: Array<{ name: string; datasourceUid?: string; url?: string }>;
    derivedFields?: DerivedField[];
    tracesToLogsV2?: TracesToLogs;
    tracesToMetrics?: TracesToMetrics;
  };
}

/** Every provisioned datasource, as Grafana holds it. */
export function provisionedDatasources(): ProvisionedDatasource[] {
  return provisioningFiles('datasources').flatMap(
    (f) => (f.resolved as { datasources?: ProvisionedDatasource[] }).datasources ?? [],
  );
}

/** The provisioned datasource of a type (hopscope provisions one of each). */
export function provisionedDatasource(type: string): ProvisionedDatasource {
  const found = provisionedDatasources().filter((d) => d.type === type);
  if (found.length !== 1) throw new Error(`expected one provisioned ${type} datasource, found ${found.length}`);
  return found[0];
}
