// `chaos knobs`: every knob, which services have it, and its settings with their ranges.
import { catalogOf } from '../scenario/knobs.ts';
import { DEMO_SERVICE_NAMES } from '../scenario/schema.ts';

export function knobsTable(): string {
  const rows = new Map<string, { services: string[]; settings: string }>();
  for (const service of DEMO_SERVICE_NAMES) {
    const catalog = catalogOf(service);
    for (const name of catalog.names) {
      const fields = catalog.fields(name) ?? {};
      const settings =
        Object.entries(fields)
          .map(([key, f]) => `${key} ${f.min}–${f.max}${f.fallback !== undefined ? ` (default ${f.fallback})` : ''}`)
          .join(', ') || '—';
      const row = rows.get(name) ?? { services: [], settings };
      row.services.push(service);
      rows.set(name, row);
    }
  }
  const width = Math.max(...[...rows.keys()].map((k) => k.length));
  const lines = [...rows].map(([name, row]) => {
    const where = row.services.length === DEMO_SERVICE_NAMES.length ? 'every service' : row.services.join(', ');
    return `${name.padEnd(width)}  ${where.padEnd(13)}  ${row.settings}`;
  });
  return [
    ...lines,
    '',
    'and through the demo runner: broker down, collector down, <service> database.slow <ms>, <service> database.down, <service> kill',
  ].join('\n');
}
