// Where a run's report lands: one file per run, named so runs of a scenario sort by time.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../run/record.ts';
import { renderReport } from './render.ts';

/** `bank-outage-2025-12-01T15-51-39Z.html`: ISO time without the colons some file systems and tools refuse. */
export function reportFileName(record: RunRecord): string {
  const name = record.scenario.name.replace(/[^a-z0-9-]/gi, '_') || 'run';
  const started = Number.isFinite(record.startedAt) ? new Date(record.startedAt) : new Date(0);
  const time = started
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(':', '-');
  return `${name}-${time}.html`;
}

/** Writes the report of `record` into `dir` (made if missing) and returns the file's path. */
export function writeReport(record: RunRecord, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, reportFileName(record));
  writeFileSync(path, renderReport(record));
  return path;
}
