import type { Logger } from 'pino';
import { createLogger } from './logs/logger.ts';

/** What the helpers need of a logger: pino's `info`/`warn(object, message)` (a pino logger fits). */
export interface EventLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

let packageLogger: Logger | undefined;

/** The logger a helper writes its events with: the one given, else one package logger made on first use. */
export function resolveEventLogger(logger?: EventLogger): EventLogger {
  if (logger) return logger;
  packageLogger ??= createLogger();
  return packageLogger;
}
