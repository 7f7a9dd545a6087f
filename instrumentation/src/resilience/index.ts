// @hopscope/instrumentation/resilience: breaker, retry, timeout and bulkhead telemetry.
export { ATTR_BREAKER_NAME, ATTR_BREAKER_STATE, BREAKER_STATES } from './breaker-recorder.ts';
export type { BreakerState, CallOutcome, FailureRateWindow } from './breaker-recorder.ts';
export type { Instrumentation, Instrumented } from './instrumented.ts';
export { instrumentCockatielBreaker } from './cockatiel.ts';
export type { BreakerTelemetryOptions, CockatielBreaker } from './cockatiel.ts';
export { instrumentOpossumBreaker } from './opossum.ts';
export type { OpossumBreaker } from './opossum.ts';
export {
  instrumentCockatielBulkhead,
  instrumentCockatielRetry,
  instrumentCockatielTimeout,
} from './cockatiel-policies.ts';
export type {
  CockatielBulkhead,
  CockatielRetry,
  CockatielTimeout,
  PolicyTelemetryOptions,
} from './cockatiel-policies.ts';
