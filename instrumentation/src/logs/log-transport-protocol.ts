// What the main thread and the log transport's worker share: the worker's options and the
// event it reports its export outcomes with. Kept apart so that the main thread never loads
// the worker's exporter code.
import type { BatchConfig, OtlpTarget } from '../config.ts';
import type { ProcessorOutcome } from '../metrics/processor-outcomes.ts';

export interface OtlpLogTransportOptions {
  target: OtlpTarget;
  serviceName: string;
  batch: BatchConfig;
}

/** The event the transport stream emits on the main thread with counts since the last one. */
export const LOG_OUTCOMES_EVENT = 'hopscope:log-outcomes';
export type LogOutcomes = Record<ProcessorOutcome, number>;
