import { createLogger } from '@hopscope/instrumentation';

/** The package's pino logger: JSON lines with trace_id/span_id, shipped over OTLP. */
export type Log = ReturnType<typeof createLogger>;

export function serviceLogger(): Log {
  return createLogger();
}
