// @hopscope/instrumentation/saga: saga lifecycle telemetry, orchestrated or choreographed.
export {
  ATTR_SAGA_ID,
  ATTR_SAGA_NAME,
  ATTR_SAGA_OUTCOME,
  ATTR_SAGA_PHASE,
  ATTR_SAGA_STEP,
  BAGGAGE_SAGA_ID,
  BAGGAGE_SAGA_NAME,
  BAGGAGE_SAGA_STARTED_AT,
  SAGA_OUTCOMES,
  SagaTelemetry,
} from './sagas.ts';
export type { SagaOutcome, SagaRef, SagaTelemetryOptions, StepPhase } from './sagas.ts';
export type { InFlightReader, InFlightSagas } from './saga-metrics.ts';
