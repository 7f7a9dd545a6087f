// The place-order saga, orchestrated: the steps as a table (data), and one pure function that
// decides what to do next when a reply (or a timeout) arrives. No I/O here: the orchestrator
// adapter loads the state, asks `transition()`, and writes what it answers in one transaction.
//
//   step             command              compensation        an ok reply yields
//   reserve-stock    inventory.reserve    inventory.release   the order's price (amountCents)
//   charge-payment   payments.charge      payments.refund     the payment's id (paymentId)
//   (all steps done → saga `completed`, order `confirmed`)
//
// What happens when payment fails: charge-payment replies ok=false → the failed step is
// compensated first (payments.refund), then the steps before it in reverse (inventory.release),
// each waiting for its compensate reply → saga `compensated`, order `cancelled` with the bank's
// reason. A step that reports failure is compensated too, as Temporal's saga samples register a
// compensation before running the activity: a participant's failure may be partial (a charge
// the bank took after payments gave up on it), and compensations are idempotent and a no-op
// for what never happened. It also makes every compensation visible in the order's trace.
//
// What happens when a participant does not answer: after the step's timeout the same walk
// back from that step → saga `timed_out`, order `failed`.
// A compensation that fails or gets no reply ends the saga at once (`failed` / `timed_out`)
// after sending the remaining compensations, which wait in their durable queues: a stuck
// compensation is a case for a person, and the saga's end says so.
import type { OrderLine, SagaStep } from '@hopscope/demo-shared/contracts';

export const PLACE_ORDER = 'place-order';
export const DEFAULT_STEP_TIMEOUT_MS = 10_000;

export type SagaPhase = 'execute' | 'compensate';
export type SagaOutcome = 'completed' | 'compensated' | 'timed_out' | 'failed';
export type SagaCommandType = 'inventory.reserve' | 'inventory.release' | 'payments.charge' | 'payments.refund';

export interface SagaStepDefinition {
  step: SagaStep;
  command: SagaCommandType;
  compensation: SagaCommandType;
  /** What an ok execute reply must carry; the next steps need it. */
  yields: 'amountCents' | 'paymentId';
  /** How long to wait for a reply before compensating. */
  timeoutMs: number;
}

/** The saga, as a table: run top to bottom; on a failure, undo the failed step and the ones done, bottom to top. */
export function placeOrderSaga(stepTimeoutMs: number = DEFAULT_STEP_TIMEOUT_MS): readonly SagaStepDefinition[] {
  return [
    {
      step: 'reserve-stock',
      command: 'inventory.reserve',
      compensation: 'inventory.release',
      yields: 'amountCents',
      timeoutMs: stepTimeoutMs,
    },
    {
      step: 'charge-payment',
      command: 'payments.charge',
      compensation: 'payments.refund',
      yields: 'paymentId',
      timeoutMs: stepTimeoutMs,
    },
  ];
}

/** How each saga outcome leaves the order. */
export const ORDER_STATUS_AFTER = {
  completed: 'confirmed',
  compensated: 'cancelled',
  timed_out: 'failed',
  failed: 'failed',
} as const satisfies Record<SagaOutcome, 'confirmed' | 'cancelled' | 'failed'>;

/** What the saga carries from step to step (stored as JSON with the saga). */
export interface SagaData {
  orderId: string;
  customer: string;
  items: OrderLine[];
  amountCents?: number;
  paymentId?: string;
  /** Why the saga compensates: the step that failed or timed out, and its reason. */
  failure?: { step: SagaStep; reason: string; timedOut: boolean };
}

/** Where the saga stands: which step, in which phase, awaiting its reply. */
export interface SagaState {
  stepIndex: number;
  phase: SagaPhase;
  data: SagaData;
}

export type SagaInput =
  | {
      kind: 'reply';
      step: SagaStep;
      phase: SagaPhase;
      ok: boolean;
      reason?: string;
      amountCents?: number;
      paymentId?: string;
    }
  | { kind: 'timeout' };

/** A command to send: the step's own command (execute) or its compensation. */
export interface SagaCommand {
  type: SagaCommandType;
  step: SagaStep;
  phase: SagaPhase;
}

/** An execute step that succeeded, with what it yielded (the order records it). */
export interface StepDone {
  step: SagaStep;
  amountCents?: number;
  paymentId?: string;
}

export type SagaDecision =
  /** A reply for another step or phase (late, duplicated, or after a timeout): nothing changes. */
  | { kind: 'ignore'; why: string }
  /** Send one command and wait for its reply (at most `timeoutMs`). */
  | { kind: 'await'; state: SagaState; send: SagaCommand; timeoutMs: number; stepDone?: StepDone }
  /** The saga is over; `send` holds compensations sent without waiting (after a stuck one). */
  | {
      kind: 'finish';
      state: SagaState;
      outcome: SagaOutcome;
      reason: string | null;
      send: SagaCommand[];
      stepDone?: StepDone;
    };

/** The first step: send its command and wait. */
export function beginSaga(saga: readonly SagaStepDefinition[], data: SagaData): SagaDecision & { kind: 'await' } {
  return execute(saga, 0, data);
}

/** What to do next, given where the saga stands and what just happened. */
export function transition(saga: readonly SagaStepDefinition[], state: SagaState, input: SagaInput): SagaDecision {
  const current = saga[state.stepIndex];
  if (!current) return { kind: 'ignore', why: `no step ${state.stepIndex} in the saga` };

  if (input.kind === 'timeout') {
    const reason = `${current.step} got no ${state.phase} reply within ${current.timeoutMs} ms`;
    if (state.phase === 'execute') {
      // The step may have happened after all: compensate it too, then the earlier ones.
      return compensateFrom(saga, state.stepIndex, {
        ...state.data,
        failure: { step: current.step, reason, timedOut: true },
      });
    }
    return giveUp(saga, state, 'timed_out', reason);
  }

  if (input.step !== current.step || input.phase !== state.phase) {
    return {
      kind: 'ignore',
      why: `reply for ${input.step}/${input.phase} while waiting for ${current.step}/${state.phase}`,
    };
  }

  if (state.phase === 'compensate') {
    if (!input.ok) {
      const reason = `compensation of ${current.step} failed: ${input.reason ?? 'no reason given'}`;
      return giveUp(saga, state, 'failed', reason);
    }
    return compensateFrom(saga, state.stepIndex - 1, state.data);
  }

  const yielded = input[current.yields];
  if (!input.ok || yielded === undefined) {
    const reason = input.ok
      ? `${current.step} replied ok without ${current.yields}`
      : (input.reason ?? 'no reason given');
    // The failed step may have done part of its work: compensate it too, then the earlier ones.
    return compensateFrom(saga, state.stepIndex, {
      ...state.data,
      failure: { step: current.step, reason: `${current.step} failed: ${reason}`, timedOut: false },
    });
  }
  const result = current.yields === 'amountCents' ? { amountCents: input.amountCents } : { paymentId: input.paymentId };
  const stepDone: StepDone = { step: current.step, ...result };
  const data: SagaData = { ...state.data, ...result };
  const next = state.stepIndex + 1;
  if (next === saga.length) {
    return { kind: 'finish', state: { ...state, data }, outcome: 'completed', reason: null, send: [], stepDone };
  }
  return { ...execute(saga, next, data), stepDone };
}

function execute(
  saga: readonly SagaStepDefinition[],
  stepIndex: number,
  data: SagaData,
): SagaDecision & { kind: 'await' } {
  const step = saga[stepIndex];
  return {
    kind: 'await',
    state: { stepIndex, phase: 'execute', data },
    send: { type: step.command, step: step.step, phase: 'execute' },
    timeoutMs: step.timeoutMs,
  };
}

/** Compensates step `stepIndex`, then (on its reply) the ones before it; none left → the saga ends. */
function compensateFrom(saga: readonly SagaStepDefinition[], stepIndex: number, data: SagaData): SagaDecision {
  if (stepIndex < 0) {
    const failure = data.failure;
    return {
      kind: 'finish',
      state: { stepIndex: 0, phase: 'compensate', data },
      outcome: failure?.timedOut ? 'timed_out' : 'compensated',
      reason: failure?.reason ?? null,
      send: [],
    };
  }
  const step = saga[stepIndex];
  return {
    kind: 'await',
    state: { stepIndex, phase: 'compensate', data },
    send: { type: step.compensation, step: step.step, phase: 'compensate' },
    timeoutMs: step.timeoutMs,
  };
}

/** A compensation failed or got no reply: send the remaining ones without waiting, and end. */
function giveUp(
  saga: readonly SagaStepDefinition[],
  state: SagaState,
  outcome: 'failed' | 'timed_out',
  reason: string,
): SagaDecision {
  const remaining = saga
    .slice(0, state.stepIndex)
    .reverse()
    .map((step): SagaCommand => ({ type: step.compensation, step: step.step, phase: 'compensate' }));
  const why = state.data.failure ? `${state.data.failure.reason}; then ${reason}` : reason;
  return { kind: 'finish', state, outcome, reason: why, send: remaining };
}
