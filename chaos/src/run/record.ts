// What one run of a scenario leaves behind: the phases, the faults as they were turned on and
// off, every check's outcome, the orders the run placed and where they ended, the key series
// and an example trace. The verdict table, the HTML report and the tests all read this.
import type { Phase, Scenario } from '../scenario/schema.ts';

export type CheckStatus = 'held' | 'failed' | 'interrupted';

export interface CheckResult {
  phase: Phase;
  name: string;
  kind: 'promql' | 'jaeger' | 'logql' | 'invariant';
  /** The query as run (variables substituted), or the invariant's name. */
  query: string;
  status: CheckStatus;
  /** Epoch ms when the check began and when it was decided. */
  startedAt: number;
  decidedAt: number;
  /** What was last seen, in words: "1 sample: 1", "trace 4bf9…: 12 spans", "3 orders not terminal". */
  observed: string;
  /** The trace a Jaeger or LogQL check found (links to Jaeger; the report draws it). */
  traceId?: string;
}

export interface FaultEvent {
  /** `bank http.down`, `broker down`, `queue poison payments.commands`. */
  label: string;
  on: number;
  /** Absent: instantaneous (a kill, an injected message), or never turned off (an interrupted run). */
  off?: number;
  error?: string;
}

export interface SeriesData {
  title: string;
  promql: string;
  /** One line per label set: the labels, and [epoch seconds, value] points. */
  lines: Array<{ labels: Record<string, string>; points: Array<[number, number]> }>;
}

export interface TraceSpan {
  spanId: string;
  parentSpanId?: string;
  service: string;
  operation: string;
  /** Epoch microseconds. */
  startUs: number;
  durationUs: number;
  error: boolean;
}

export interface TraceData {
  traceId: string;
  spans: TraceSpan[];
}

export interface OrderFigures {
  placed: number;
  /** Placed and accepted (202); the rest were refused at the gateway (429, 503…). */
  accepted: number;
  /** Accepted orders by their status at the end of the run. */
  byStatus: Record<string, number>;
  /** Accepted orders not in a terminal state at the end. */
  notTerminal: number;
  duplicateCharges: number;
  stockDiscrepancies: number;
}

export interface RunRecord {
  scenario: Scenario;
  /** The time scale the durations were run at (1 = as written). */
  timeScale: number;
  startedAt: number;
  endedAt: number;
  phases: Array<{ phase: Phase; startedAt: number; endedAt: number }>;
  faults: FaultEvent[];
  checks: CheckResult[];
  verdict: 'held' | 'failed' | 'interrupted';
  orders: OrderFigures;
  series: SeriesData[];
  trace?: TraceData;
  /** Links a person follows from the report. */
  links: { jaegerSearch: string; grafanaPanel: string };
}
