import { diag } from '@opentelemetry/api';

/**
 * Runs telemetry code that must never break the caller's call (a listener on a breaker's
 * events, a user's callback, a metric update): a throw is logged through OTel diag and dropped.
 */
export function safely(what: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    diag.warn(`hopscope: ${what} failed`, error);
  }
}
