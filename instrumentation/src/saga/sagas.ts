import { type Baggage, type Context, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { assertBoundedName } from '../check-name.ts';
import { type EventLogger, resolveEventLogger } from '../event-logger.ts';
import { observeDuration, resolveRegistry } from '../metrics/shared-metrics.ts';
import { safely } from '../safely.ts';
import { type InFlightReader, readInFlightOnScrape, sagaMetrics } from './saga-metrics.ts';

export const SAGA_OUTCOMES = ['completed', 'compensated', 'failed', 'timed_out'] as const;
export type SagaOutcome = (typeof SAGA_OUTCOMES)[number];
export type StepPhase = 'execute' | 'compensate';

// Baggage keys: the saga travels with every request and message of the saga's trace.
export const BAGGAGE_SAGA_ID = 'saga.id';
export const BAGGAGE_SAGA_NAME = 'saga.name';
export const BAGGAGE_SAGA_STARTED_AT = 'saga.started_at';
export const ATTR_SAGA_ID = 'hopscope.saga.id';
export const ATTR_SAGA_NAME = 'hopscope.saga.name';
export const ATTR_SAGA_STEP = 'hopscope.saga.step';
export const ATTR_SAGA_PHASE = 'hopscope.saga.phase';
export const ATTR_SAGA_OUTCOME = 'hopscope.saga.outcome';

const MAX_SAGA_ID_LENGTH = 128;

export interface SagaTelemetryOptions {
  /**
   * Where the metrics go.
   * @default the registry `start()` set up, else prom-client's global registry
   */
  registry?: Registry;
  /**
   * Where saga starts and ends are logged.
   * @default the package logger
   */
  logger?: EventLogger;
}

/** One saga in flight: its id, its name and when it started (its duration is measured from there). */
export interface SagaRef {
  id: string;
  name: string;
  startedAt: number;
}

/**
 * Saga lifecycle telemetry for both styles. Orchestrated: `start()`, then `step()` /
 * `compensate()` and `end()` on what it returns. Choreographed: each participant calls
 * `step()` with the saga read from baggage (`current()`), and whoever ends the saga calls `end()`.
 */
export class SagaTelemetry {
  private readonly metrics: ReturnType<typeof sagaMetrics>;
  private readonly registry: Registry;
  private readonly logger: EventLogger;
  private readonly inFlightHere = new Map<string, Map<string, number>>();

  constructor(options: SagaTelemetryOptions = {}) {
    this.registry = resolveRegistry(options.registry);
    this.metrics = sagaMetrics(this.registry);
    this.logger = resolveEventLogger(options.logger);
  }

  /**
   * Reads the in-flight count and the oldest start of a saga at scrape time, typically from the
   * saga table, so the figures stay true across processes and restarts. Without one, this
   * process's own sagas are counted.
   */
  readInFlightFrom(sagaName: string, reader: InFlightReader): void {
    readInFlightOnScrape(this.registry, assertBoundedName('saga name', sagaName), reader);
  }

  /** Starts a saga; run its work inside `run(saga, fn)` so that requests and messages carry it. */
  start(name: string, id: string): SagaRef {
    const saga: SagaRef = { name: assertBoundedName('saga name', name), id: checkSagaId(id), startedAt: Date.now() };
    safely('saga start telemetry', () => {
      this.metrics.started.inc({ saga: name });
      const here = this.inFlightHere.get(name) ?? new Map<string, number>();
      here.set(id, saga.startedAt);
      this.inFlightHere.set(name, here);
      this.refreshLocalInFlight(name);
      trace.getActiveSpan()?.addEvent('saga.started', { [ATTR_SAGA_ID]: id, [ATTR_SAGA_NAME]: name });
      this.logger.info({ saga_id: id, saga_name: name }, 'saga started');
    });
    return saga;
  }

  /** Runs `fn` with the saga in baggage: every span, request and message inside carries it. */
  run<T>(saga: SagaRef, fn: () => T): T {
    return context.with(withSagaBaggage(context.active(), saga), fn);
  }

  /** The saga in the active context's baggage (a choreography participant's view), if any. */
  current(): SagaRef | undefined {
    return sagaFromBaggage(propagation.getBaggage(context.active()));
  }

  /** Runs one step (execute phase) as a span, timing it and recording its outcome. */
  step<T>(saga: SagaRef, step: string, fn: () => Promise<T> | T): Promise<T> {
    return this.runStep(saga, step, 'execute', fn);
  }

  /** Runs the compensation of a step as a span, timing it and recording its outcome. */
  compensate<T>(saga: SagaRef, step: string, fn: () => Promise<T> | T): Promise<T> {
    return this.runStep(saga, step, 'compensate', fn);
  }

  /** Ends a saga with its outcome; call it once per saga, from whichever process ends it. */
  end(saga: SagaRef, outcome: SagaOutcome): void {
    if (!SAGA_OUTCOMES.includes(outcome)) {
      throw new TypeError(`saga outcome must be one of ${SAGA_OUTCOMES.join(', ')}, got ${JSON.stringify(outcome)}`);
    }
    safely('saga end telemetry', () => {
      const seconds = Math.max(0, (Date.now() - saga.startedAt) / 1000);
      this.metrics.ended.inc({ saga: saga.name, outcome });
      observeDuration(this.metrics.duration, { saga: saga.name, outcome }, seconds);
      this.inFlightHere.get(saga.name)?.delete(saga.id);
      this.refreshLocalInFlight(saga.name);
      const span = trace.getActiveSpan();
      span?.addEvent('saga.ended', {
        [ATTR_SAGA_ID]: saga.id,
        [ATTR_SAGA_NAME]: saga.name,
        [ATTR_SAGA_OUTCOME]: outcome,
      });
      const fields = { saga_id: saga.id, saga_name: saga.name, outcome, duration_seconds: seconds };
      if (outcome === 'completed') this.logger.info(fields, 'saga ended');
      else this.logger.warn(fields, 'saga ended');
    });
  }

  private async runStep<T>(saga: SagaRef, step: string, phase: StepPhase, fn: () => Promise<T> | T): Promise<T> {
    assertBoundedName('saga step', step);
    const attributes = {
      [ATTR_SAGA_ID]: saga.id,
      [ATTR_SAGA_NAME]: saga.name,
      [ATTR_SAGA_STEP]: step,
      [ATTR_SAGA_PHASE]: phase,
    };
    const spanName = `saga ${saga.name} ${phase === 'execute' ? step : `compensate ${step}`}`;
    return context.with(withSagaBaggage(context.active(), saga), () =>
      trace.getTracer('@hopscope/instrumentation').startActiveSpan(spanName, { attributes }, async (span) => {
        const started = performance.now();
        const record = (outcome: 'success' | 'failure') =>
          safely('saga step telemetry', () => {
            const labels = { saga: saga.name, step, phase, outcome };
            observeDuration(this.metrics.stepDuration, labels, (performance.now() - started) / 1000);
          });
        try {
          const result = await fn();
          record('success');
          return result;
        } catch (error) {
          record('failure');
          span.recordException(error instanceof Error ? error : new Error(String(error)));
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
        }
      }),
    );
  }

  private refreshLocalInFlight(name: string): void {
    const here = this.inFlightHere.get(name);
    this.metrics.inFlight.set({ saga: name }, here?.size ?? 0);
    const oldest = here && here.size > 0 ? Math.min(...here.values()) : undefined;
    this.metrics.oldestAge.set({ saga: name }, oldest === undefined ? 0 : (Date.now() - oldest) / 1000);
  }
}

function checkSagaId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_SAGA_ID_LENGTH || /[\s,;=]/.test(id)) {
    const shown = typeof id === 'string' && id.length > 80 ? `${id.slice(0, 80)}…` : id;
    throw new TypeError(
      `saga id must be 1-${MAX_SAGA_ID_LENGTH} characters without spaces, commas, semicolons or '=', got ${JSON.stringify(shown)}`,
    );
  }
  return id;
}

function withSagaBaggage(ctx: Context, saga: SagaRef): Context {
  const baggage = (propagation.getBaggage(ctx) ?? propagation.createBaggage())
    .setEntry(BAGGAGE_SAGA_ID, { value: saga.id })
    .setEntry(BAGGAGE_SAGA_NAME, { value: saga.name })
    .setEntry(BAGGAGE_SAGA_STARTED_AT, { value: String(saga.startedAt) });
  return propagation.setBaggage(ctx, baggage);
}

/** The saga a message or request carried; undefined when its baggage holds none or a bad one. */
function sagaFromBaggage(baggage: Baggage | undefined): SagaRef | undefined {
  const id = baggage?.getEntry(BAGGAGE_SAGA_ID)?.value;
  const name = baggage?.getEntry(BAGGAGE_SAGA_NAME)?.value;
  const startedAt = Number(baggage?.getEntry(BAGGAGE_SAGA_STARTED_AT)?.value);
  if (!id || !name || id.length > MAX_SAGA_ID_LENGTH || !/^[a-zA-Z0-9_.:-]{1,64}$/.test(name)) return undefined;
  return { id, name, startedAt: Number.isFinite(startedAt) ? startedAt : Date.now() };
}
