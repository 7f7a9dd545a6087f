// The targets of issue 11, each computed from this run's figures: figure | now | floor | target |
// met? The floor is the same figure for the floor stage or variant (the same telemetry written by
// hand for the one endpoint or loop, bench/apps/express-json-floor.mjs and amqp-floor.mjs): what
// the target can reach on this machine.
import { type BreakerResult } from './breakers.ts';
import { breakerAddedMicros, medianRate, stageFigures, type StageFigures } from './figures.ts';
import type { RatesResult } from './messaging.ts';
import type { StageId, StageResult } from './stages.ts';
import { megabytes, renderTextTable, signed, times } from './table.ts';

const TARGET_SOAK_SECONDS = 60;

type Figure = { value: number; text: string } | { missing: string };

interface Target {
  figure: string;
  target: string;
  /** The figure now, or why it could not be computed. */
  now: Figure;
  /** The same figure for the floor stage, where it has one. */
  floor?: Figure;
  met: (value: number) => boolean;
  /** Said next to yes/no when the run measured something other than the target's figure. */
  caveat?: string;
}

export interface TargetInputs {
  stages: StageResult[];
  messaging: RatesResult[];
  breakers: BreakerResult[];
  soakSeconds: number;
}

export function renderTargets(inputs: TargetInputs): string {
  const rows = targets(inputs).map((target) => {
    const floor = target.floor ? textOf(target.floor) : '–';
    if ('missing' in target.now) return [target.figure, target.now.missing, floor, target.target, '–'];
    const met = target.met(target.now.value) ? 'yes' : 'no';
    return [target.figure, target.now.text, floor, target.target, target.caveat ? `${met} (${target.caveat})` : met];
  });
  return renderTextTable(['figure', 'now (this run)', 'floor (hand-written)', 'target', 'met?'], rows);
}

function textOf(figure: Figure): string {
  return 'missing' in figure ? figure.missing : figure.text;
}

function targets({ stages, messaging, breakers, soakSeconds }: TargetInputs): Target[] {
  const figures = new Map(stages.map((result) => [result.id, stageFigures(result)]));
  const names = new Map(stages.map((result) => [result.id, result.name]));
  /** A figure from two stages, or which stage is missing. */
  const compare = (
    a: StageId,
    b: StageId,
    compute: (a: StageFigures, b: StageFigures) => number | undefined,
    text: (value: number) => string,
  ): Figure => {
    const fa = figures.get(a);
    const fb = figures.get(b);
    if (!fa || !fb) return { missing: `n/a: ${names.get(fa ? b : a)} failed` };
    const value = compute(fa, fb);
    return value === undefined ? { missing: 'n/a: not measured' } : { value, text: text(value) };
  };
  const messagingRate = (id: RatesResult['id']) => {
    const result = messaging.find((candidate) => candidate.id === id);
    return result && medianRate(result);
  };
  const bareMessages = messagingRate('bare');
  /** Messages a second vs bare, for one variant. */
  const messagesVsBare = (id: RatesResult['id']): Figure => {
    const rate = messagingRate(id);
    return bareMessages !== undefined && rate !== undefined
      ? { value: rate / bareMessages, text: times(rate / bareMessages) }
      : { missing: 'n/a: a RabbitMQ run failed' };
  };
  /** The hand-written floor, and in brackets the same floor on the OpenTelemetry SDK. */
  const withSdkFloor = (floor: Figure, sdkFloor: Figure): Figure =>
    'missing' in floor || 'missing' in sdkFloor
      ? floor
      : { ...floor, text: `${floor.text} (on the SDK ${sdkFloor.text})` };
  const breakerMicros = breakers.map(breakerAddedMicros);
  const soakCaveat = soakSeconds === TARGET_SOAK_SECONDS ? undefined : `after ${soakSeconds} s, not 60 s`;
  // Each figure of the full stage, and the same for the floor stage.
  const requestsVsBare = (stage: StageId) =>
    compare(stage, 'bare', (s, b) => s.requestsPerSecond / b.requestsPerSecond, times);
  const requestsVsPeer = (stage: StageId) =>
    compare(stage, 'peer', (s, p) => s.requestsPerSecond / p.requestsPerSecond, times);
  const p99VsBare = (stage: StageId) => compare(stage, 'bare', (s, b) => s.p99Ms / b.p99Ms, times);
  const startAdded = (stage: StageId) =>
    compare(
      stage,
      'bare',
      (s, b) => s.startMs - b.startMs,
      (ms) => `${signed(ms)} ms`,
    );
  const rssAddedAfterFixed = (stage: StageId) =>
    compare(
      stage,
      'bare',
      (s, b) => megabytes(s.rssAfterFixed - b.rssAfterFixed),
      (mb) => `${signed(mb)} MB`,
    );
  const rssAddedAfterSoak = (stage: StageId): Figure =>
    soakSeconds === 0
      ? { missing: 'n/a: BENCH_SOAK_SECONDS=0' }
      : compare(
          stage,
          'bare',
          (s, b) =>
            s.rssAfterSoak !== undefined && b.rssAfterSoak !== undefined
              ? megabytes(s.rssAfterSoak - b.rssAfterSoak)
              : undefined,
          (mb) => `${signed(mb)} MB`,
        );
  const ofStages = (figure: (stage: StageId) => Figure) => ({ now: figure('full'), floor: figure('floor') });
  return [
    {
      figure: 'express JSON + log line, 100% sampled, OTLP export: req/s vs bare',
      ...ofStages(requestsVsBare),
      target: '≥ 0.75×',
      met: (value) => value >= 0.75,
    },
    {
      figure: 'same, vs the zero-code peer (same run)',
      ...ofStages(requestsVsPeer),
      target: '≥ 3×',
      met: (value) => value >= 3,
    },
    {
      figure: 'same, p99 latency vs bare',
      ...ofStages(p99VsBare),
      target: '≤ 1.5×',
      met: (value) => value <= 1.5,
    },
    {
      figure: 'process start → first response, added',
      ...ofStages(startAdded),
      target: '≤ +100 ms',
      met: (value) => value <= 100,
    },
    {
      figure: 'RSS added after 2,000 requests',
      ...ofStages(rssAddedAfterFixed),
      target: '≤ +25 MB',
      met: (value) => value <= 25,
    },
    {
      figure: `RSS added after ${TARGET_SOAK_SECONDS} s of sustained load`,
      ...ofStages(rssAddedAfterSoak),
      target: '≤ +40 MB',
      met: (value) => value <= 40,
      caveat: soakCaveat,
    },
    {
      figure: 'RabbitMQ publish → consume, msgs/s vs bare',
      now: messagesVsBare('hopscope'),
      floor: withSdkFloor(messagesVsBare('floor'), messagesVsBare('sdk-floor')),
      target: '≥ 0.9×',
      met: (value) => value >= 0.9,
    },
    {
      figure: 'breaker-wrapped call, telemetry on vs off: added',
      now: breakerMicros.every((micros) => micros !== undefined)
        ? {
            value: Math.max(...breakerMicros),
            text: breakers.map((b, i) => `${b.library} ${signed(breakerMicros[i], 2)} µs`).join(', '),
          }
        : { missing: 'n/a: a breaker run failed' },
      target: '≤ 0.5 µs added',
      met: (value) => value <= 0.5,
    },
  ];
}
