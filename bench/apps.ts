// Starts one of bench/apps/*.mjs as a deployed service would run: its own process, the
// instrumentation (if any) given on the command line, its configuration in the environment.
import { fileURLToPath } from 'node:url';
import { SERVICES_ENV } from '../instrumentation/test/helpers/test-services.ts';
import { type Child, startNode } from './processes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const APPS = fileURLToPath(new URL('./apps/', import.meta.url));

export interface Variant {
  name: string;
  execArgv: string[];
  env: Record<string, string>;
}

export const HOPSCOPE_REGISTER = ['--import', '@hopscope/instrumentation/register'];

export const BARE: Variant = { name: 'bare', execArgv: [], env: {} };

export interface AppContext {
  /** Where every exporter sends: the local OTLP sink. */
  sinkUrl: string;
  cpu: number | undefined;
}

export function startApp(
  script: string,
  variant: Variant,
  context: AppContext,
  env: Record<string, string> = {},
): Child {
  return startNode({
    cpu: context.cpu,
    cwd: ROOT,
    args: [...variant.execArgv, `${APPS}${script}`],
    ipc: true,
    env: {
      PATH: process.env['PATH'] ?? '',
      ...SERVICES_ENV,
      OTEL_SERVICE_NAME: 'bench',
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_EXPORTER_OTLP_ENDPOINT: context.sinkUrl,
      ...variant.env,
      ...env,
    },
  });
}
