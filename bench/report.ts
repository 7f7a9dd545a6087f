// The bench's tables: the express stages side by side, the RabbitMQ loop and the breaker call.
import type { BreakerResult } from './breakers.ts';
import { breakerFigures, medianRate, stageFigures } from './figures.ts';
import type { RatesResult } from './messaging.ts';
import type { Settings } from './settings.ts';
import { EXPECTED_EXPORTS, type StageResult } from './stages.ts';
import { median, spread } from './stats.ts';
import { type Row, megabytes, renderTable, signed, times } from './table.ts';

export function renderStages(stages: StageResult[], settings: Settings): string {
  const bare = stageFigures(stages[0]);
  const soak = settings.soakSeconds > 0 ? `RSS after ${settings.soakSeconds} s load` : 'RSS after load';
  const header = [
    'stage',
    'req/s',
    '× bare',
    'spread (min–max)',
    'p99 ms',
    '× bare',
    'start → 1st resp.',
    `RSS after ${settings.fixedRequests.toLocaleString('en')} req`,
    soak,
    'exported',
  ];
  const rows: Row[] = stages.map((stage): Row => {
    const f = stageFigures(stage);
    if (!f) return { name: stage.name, note: `failed: ${stage.errors[0]?.replace(/^round \d+: /, '') ?? 'no rounds'}` };
    const vsBare = (value: number, base: number | undefined, unit: string, digits = 0) =>
      base === undefined
        ? `${value.toFixed(digits)} ${unit}`
        : `${value.toFixed(digits)} ${unit} (${signed(value - base, digits)})`;
    const { min, max, percent } = f.requestsSpread;
    return [
      stage.name,
      f.requestsPerSecond.toFixed(0),
      bare ? times(f.requestsPerSecond / bare.requestsPerSecond) : '–',
      `${min.toFixed(0)}–${max.toFixed(0)} (${percent.toFixed(0)}%)`,
      f.p99Ms.toFixed(2),
      bare ? times(f.p99Ms / bare.p99Ms) : '–',
      vsBare(f.startMs, bare?.startMs, 'ms'),
      vsBare(megabytes(f.rssAfterFixed), bare && megabytes(bare.rssAfterFixed), 'MB'),
      f.rssAfterSoak === undefined
        ? stage.soakError
          ? 'failed'
          : '–'
        : vsBare(megabytes(f.rssAfterSoak), bare?.rssAfterSoak && megabytes(bare.rssAfterSoak), 'MB'),
      exportedSignals(stage).join(', ') || 'nothing',
    ];
  });
  return [renderTable(header, rows), ...stageNotes(stages)].join('\n');
}

/** Every signal the sink received from the stage in any round. */
function exportedSignals(stage: StageResult): string[] {
  return [...new Set(stage.samples.flatMap((sample) => sample.exported))].sort();
}

/** What a reader needs to trust (or not) a row: failed rounds, failed requests, SIGTERM. */
function stageNotes(stages: StageResult[]): string[] {
  const notes: string[] = [];
  for (const stage of stages) {
    if (stage.samples.length > 0) for (const error of stage.errors) notes.push(`${stage.name}: ${error}`);
    if (stage.soakError) notes.push(`${stage.name}: soak: ${stage.soakError}`);
    const failed = stage.samples.reduce((sum, sample) => sum + sample.failedRequests, 0);
    if (failed > 0) notes.push(`${stage.name}: ${failed} requests failed (errors, timeouts or non-2xx)`);
    const exported = exportedSignals(stage).join(', ');
    const expected = EXPECTED_EXPORTS[stage.id].join(', ');
    if (stage.samples.length > 0 && exported !== expected) {
      notes.push(
        `${stage.name}: the sink received ${exported || 'nothing'}, the stage should export ${expected || 'nothing'}`,
      );
    }
    const killed = stage.samples.filter((sample) => !sample.endsOnSigterm).length;
    if (killed > 0)
      notes.push(`${stage.name}: did not end on SIGTERM within 3 s in ${killed} of ${stage.samples.length} rounds`);
  }
  return notes.length > 0 ? ['', ...notes.map((note) => `note: ${note}`)] : [];
}

export function renderMessaging(results: RatesResult[]): string {
  const bare = medianRate(results[0]);
  const rows = results.map((result): Row => {
    const rate = medianRate(result);
    if (rate === undefined) return { name: result.name, note: `failed: ${result.errors[0] ?? 'no rounds'}` };
    const { min, max, percent } = spread(result.rates);
    return [
      result.name,
      rate.toFixed(0),
      bare ? times(rate / bare) : '–',
      `${min.toFixed(0)}–${max.toFixed(0)} (${percent.toFixed(0)}%)`,
      median(result.cpuMicrosPerMessage).toFixed(0),
    ];
  });
  const notes = results.flatMap((result) =>
    result.rates.length > 0 ? result.errors.map((error) => `note: ${result.name}: ${error}`) : [],
  );
  return [renderTable(['variant', 'msg/s', '× bare', 'spread (min–max)', 'CPU µs/msg'], rows), ...notes].join('\n');
}

export function renderBreakers(results: BreakerResult[]): string {
  const rows = results.map((result): Row => {
    const f = breakerFigures(result);
    if (!f) return { name: result.library, note: `failed: ${result.errors[0] ?? 'no rounds'}` };
    const { min, max } = f.addedSpread;
    return [
      result.library,
      f.offMicros.toFixed(2),
      f.onMicros.toFixed(2),
      times(f.onMicros / f.offMicros),
      `${signed(f.addedMicros, 2)} µs`,
      `${signed(min, 2)} – ${signed(max, 2)}`,
    ];
  });
  const notes = results.flatMap((result) =>
    result.samples.length > 0 ? result.errors.map((error) => `note: ${result.library}: ${error}`) : [],
  );
  return [
    renderTable(['library', 'µs/call off', 'µs/call on', 'on / off', 'added per call', 'spread (min–max)'], rows),
    ...notes,
  ].join('\n');
}
