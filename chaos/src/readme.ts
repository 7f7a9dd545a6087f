// chaos/README.md, generated from the scenario files so that the two cannot drift: a test
// compares the committed file with this output; `npm run chaos -- readme` rewrites it.
import { describeCheck, describeFault } from './commands/describe.ts';
import { PHASES, type Scenario } from './scenario/schema.ts';

const INTRO = `# Chaos scenarios that check themselves

<!-- Generated from chaos/*.yaml by \`npm run chaos -- readme\`; a test fails when it drifts. -->

Each scenario breaks one thing in the running demo and states what should then happen — a
steady-state hypothesis checked before, during and after the fault against the real
Prometheus, Jaeger, Loki and the services' own databases. A run prints every check as it is
decided, a verdict table, and writes a self-contained HTML report (charts of the key series,
an example trace as a waterfall) under \`.demo/chaos-reports/\`.

| command | what it does |
| --- | --- |
| \`npm run demo\` (or \`npm run demo:up\`) | the demo, with every service's chaos admin API on loopback (token in \`.demo/endpoints.json\`, readable by you only) |
| \`npm run chaos -- list\` | the scenarios |
| \`npm run chaos -- describe <scenario>\` | what it breaks, what to notice, where to look, its hypothesis |
| \`npm run chaos -- run <scenario>\` | run it; exit code 0 only when every check held (\`--time-scale 0.5\` shortens the faults, never a check's deadline; \`--without-faults\` shows which checks depend on the fault) |
| \`npm run chaos -- knobs\` | every fault knob and its settings |
| \`npm run chaos -- on <target> <fault> [value]\` / \`off [target]\` | turn a knob by hand (\`on bank http.error-rate 0.5\`, \`on broker down\`, \`on orders database.slow 300\`, \`on orders kill\`) |
| \`npm run chaos -- schedule --seed 7 --interval 2m --max-concurrent 1\` | random scenarios on and off, unattended, the same sequence for the same seed |

Ctrl-C during \`run\` or \`schedule\` turns off every fault it turned on, and says so.

The faults on the broker and the databases go through loopback TCP proxies that the demo
runner puts in front of RabbitMQ and PostgreSQL (for the demo's services only: those servers
are shared with other programs on the machine, which must keep working), and the collector is
stopped and started by the runner. In compose (\`docker compose up\`), each service's admin API
listens on port 9000 of the internal network when \`HOPSCOPE_CHAOS_TOKEN\` is set, and the
service knobs can be turned with curl; the scenarios and the infrastructure faults need local
mode (\`npm run demo\`).

Each check is polled until it holds or its deadline passes (\`within\`), or must hold at every
poll of its phase (\`throughout\`). Database invariants: \`orders-terminal\` (every order
confirmed, cancelled or failed), \`stock-balanced\` (stock plus what orders hold equals what
there was), \`no-orphan-charge\` (no money held for an order that was not confirmed),
\`no-duplicate-charge\`, \`messages-processed-once\`.
`;

export function renderReadme(scenarios: readonly Scenario[]): string {
  const sections = scenarios.map((scenario) => {
    const lines = [
      `## \`${scenario.name}\` — ${scenario.title}`,
      '',
      scenario.notice.trim(),
      '',
      `- **Faults** (at least ${scenario.duration / 1000} s): ${scenario.faults.map(describeFault).join('; ')}`,
      `- **Look at**: the panel ${scenario.reveals.panel}; Jaeger, service \`${scenario.reveals.jaeger.service}\`` +
        (scenario.reveals.jaeger.tags ? `, tags \`${JSON.stringify(scenario.reveals.jaeger.tags)}\`` : ''),
      `- **Hypothesis**:`,
    ];
    for (const phase of PHASES) {
      for (const check of scenario.hypothesis[phase] ?? []) {
        lines.push(`  - ${phase}: ${check.name} — ${describeCheck(check, (query) => `\`${query}\``)}`);
      }
    }
    return lines.join('\n');
  });
  return `${INTRO}\n| scenario | title |\n| --- | --- |\n${scenarios
    .map((s) => `| [\`${s.name}\`](#${anchor(s)}) | ${s.title} |`)
    .join('\n')}\n\n${sections.join('\n\n')}\n`;
}

/** GitHub's heading anchor: lowercase, punctuation dropped, spaces to dashes. */
function anchor(scenario: Scenario): string {
  return `${scenario.name} — ${scenario.title}`
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

/** The README as committed: rendered, then formatted by the repository's Prettier (lint checks it). */
export async function formattedReadme(scenarios: readonly Scenario[], file: string): Promise<string> {
  const { format, resolveConfig } = await import('prettier');
  const options = (await resolveConfig(file)) ?? {};
  return format(renderReadme(scenarios), { ...options, filepath: file });
}
