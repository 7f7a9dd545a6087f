// A participant's side of a saga step (inventory's and payments'): the work runs inside the
// step's span (timed, with the saga in baggage). A refusal (out of stock, a declined charge) is
// an answer, not an error: the reply is already written and the message must not be retried,
// yet the step should show as failed in the trace and the step metrics. So a refusal is thrown
// inside the span and caught outside it.
import type { SagaRef, SagaTelemetry, StepPhase } from '@hopscope/instrumentation/saga';

/** What a step's work reports: `refused` names why the step said no. */
export interface StepResult {
  refused?: string;
}

class StepRefused extends Error {
  override readonly name = 'StepRefused';
}

export async function runSagaStep(
  sagas: SagaTelemetry,
  saga: SagaRef,
  step: string,
  phase: StepPhase,
  work: () => Promise<StepResult>,
): Promise<void> {
  const inSpan = async () => {
    const { refused } = await work();
    if (refused !== undefined) throw new StepRefused(refused);
  };
  try {
    await (phase === 'execute' ? sagas.step(saga, step, inSpan) : sagas.compensate(saga, step, inSpan));
  } catch (error) {
    if (!(error instanceof StepRefused)) throw error;
  }
}

/**
 * The saga a message belongs to: from its baggage when it names the same saga, else rebuilt
 * from the id the message carries (a publisher without the register flag sends no baggage).
 */
export function sagaOf(sagas: SagaTelemetry, sagaId: string, name: string): SagaRef {
  const current = sagas.current();
  if (current?.id === sagaId && current.name === name) return current;
  return { id: sagaId, name, startedAt: Date.now() };
}
