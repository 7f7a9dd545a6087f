// A chaos scenario as data (chaos/*.yaml): what breaks, for how long, what a learner should
// notice, and the steady-state hypothesis checked before, during and after the faults. The
// schema is the one place that says which fields exist; load.ts adds what a schema cannot
// (the file's line numbers, query syntax, the services' own fault catalog).
import { z } from 'zod';

/** `500ms`, `30s`, `2m`: a duration, as milliseconds. */
export const duration = z
  .string()
  .regex(/^\d+(ms|s|m)$/, 'a duration such as 500ms, 30s or 2m')
  .transform((text) => {
    const [, value, unit] = /^(\d+)(ms|s|m)$/.exec(text)!;
    return Number(value) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000);
  });

/** The demo's services, the targets of the per-service fault knobs. */
export const DEMO_SERVICE_NAMES = [
  'gateway',
  'orders',
  'inventory',
  'payments',
  'bank',
  'shipping',
  'notifications',
  'order-view',
] as const;
const serviceName = z.enum(DEMO_SERVICE_NAMES);

const timing = {
  /** When it starts, from the start of the "during" phase. @default 0s */
  at: duration.optional(),
  /** How long it stays on; absent = until the "during" phase ends. Scaled by the run's time scale. */
  for: duration.optional(),
};

/** A knob of a service's chaos admin API (demo-services/shared/src/chaos/faults.ts), on every instance. */
const serviceFault = z.strictObject({
  target: serviceName,
  fault: z.string(),
  settings: z.record(z.string(), z.number()).optional(),
  ...timing,
});

/** What the demo runner does to the real components (stack/demo/infra-faults.ts). */
const infraFault = z.discriminatedUnion('target', [
  z.strictObject({ target: z.literal('broker'), fault: z.literal('down'), ...timing }),
  z.strictObject({ target: z.literal('collector'), fault: z.literal('down'), ...timing }),
  z.strictObject({
    target: z.literal('database'),
    fault: z.enum(['slow', 'down']),
    service: serviceName,
    settings: z.strictObject({ latencyMs: z.number().int().min(1).max(60_000) }).optional(),
    ...timing,
  }),
  // SIGKILL every instance of the service (the demo runner restarts it).
  z.strictObject({ target: z.literal('process'), fault: z.literal('kill'), service: serviceName, at: timing.at }),
]);

/** Messages put onto a real queue of the demo by the run itself. */
const messageFault = z.strictObject({
  target: z.literal('queue'),
  fault: z.enum(['poison', 'duplicate']),
  /** The queue as the topology names it, without the namespace (e.g. `payments.commands`). */
  queue: z.string().min(1),
  /** How many. @default 1 */
  count: z.number().int().min(1).max(100).optional(),
  at: timing.at,
});

/** Requests the run sends itself, beyond its steady order traffic. */
const trafficFault = z.strictObject({
  target: z.literal('traffic'),
  fault: z.literal('storm'),
  /** Requests per second at the gateway, from one user. */
  settings: z.strictObject({ rate: z.number().int().min(1).max(500) }),
  ...timing,
});

export const faultSchema = z.union([serviceFault, infraFault, messageFault, trafficFault]);

const comparison = z
  .string()
  .regex(/^(==|!=|>=|<=|>|<)\s*-?\d+(\.\d+)?$/, 'a comparison such as "== 1", "> 0" or "< 0.05"');

const checkBase = {
  /** What holds, in a sentence a learner reads in the verdict table. */
  name: z.string().min(1),
  /** The deadline: polled until it holds or this much time passed. @default 30s */
  within: duration.optional(),
  /** Must hold at every poll while the phase lasts, not just once. @default false */
  throughout: z.boolean().optional(),
};

/** An instant PromQL query; every returned sample must satisfy `expect`; no sample does not hold. */
const promCheck = z.strictObject({ ...checkBase, promql: z.string().min(1), expect: comparison });

/** At least one trace of the run's time window (Jaeger's search) holding every span described. */
const jaegerCheck = z.strictObject({
  ...checkBase,
  jaeger: z.strictObject({
    /** The service Jaeger's search is for. */
    service: serviceName,
    /** Jaeger search tags, e.g. `{ error: "true" }`. */
    tags: z.record(z.string(), z.string()).optional(),
    /** Spans the trace must hold, each matched on the fields given. */
    spans: z
      .array(
        z.strictObject({
          service: serviceName.optional(),
          /** The span name, or a prefix of it ending in `*`. */
          operation: z.string().optional(),
          error: z.boolean().optional(),
        }),
      )
      .min(1),
  }),
});

/** A LogQL query over the run's time window. */
const lokiCheck = z.strictObject({
  ...checkBase,
  logql: z.string().min(1),
  expect: z
    .strictObject({
      /** How many lines. @default "> 0" */
      lines: comparison.optional(),
      /** Every line counted carries a trace id (structured metadata `trace_id`). @default false */
      traceId: z.boolean().optional(),
    })
    .optional(),
});

/** Invariants over the services' own databases (chaos/src/checks/invariants.ts). */
export const INVARIANTS = [
  'orders-terminal',
  'stock-balanced',
  'no-orphan-charge',
  'no-duplicate-charge',
  'messages-processed-once',
] as const;
const invariantCheck = z.strictObject({ ...checkBase, invariant: z.enum(INVARIANTS) });

export const checkSchema = z.union([promCheck, jaegerCheck, lokiCheck, invariantCheck]);

export const scenarioSchema = z.strictObject({
  /** The file's name without `.yaml`; what `npm run chaos -- run <name>` takes. */
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lowercase words joined by -'),
  title: z.string().min(1),
  /** What a learner should notice, in a few sentences. */
  notice: z.string().min(1),
  /** Where to look. */
  reveals: z.strictObject({
    /** A dashboard panel, as "<dashboard> › <panel>". */
    panel: z.string().min(1),
    /** A Jaeger search: service and tags. */
    jaeger: z.strictObject({
      service: serviceName,
      tags: z.record(z.string(), z.string()).optional(),
    }),
  }),
  /** Orders placed at the gateway throughout the run, per second. @default 1 */
  ordersPerSecond: z.number().min(0).max(20).optional(),
  /** How long the "during" phase lasts at least (faults without `for` stay on this long). */
  duration,
  faults: z.array(faultSchema).min(1),
  /** The scenario's key series, charted in the report. */
  charts: z.array(z.strictObject({ title: z.string().min(1), promql: z.string().min(1) })).min(1),
  hypothesis: z.strictObject({
    before: z.array(checkSchema).optional(),
    during: z.array(checkSchema).optional(),
    after: z.array(checkSchema).optional(),
  }),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type Fault = z.output<typeof faultSchema>;
export type Check = z.output<typeof checkSchema>;
export type Phase = 'before' | 'during' | 'after';
export const PHASES: readonly Phase[] = ['before', 'during', 'after'];
