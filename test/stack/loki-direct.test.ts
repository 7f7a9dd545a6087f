// The direct-to-Loki mode for users without a collector: lines pushed by pino-loki from the
// package logger's worker reach the real Loki, labelled with the service name, each carrying
// its trace id.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { URLS } from '../../stack/ports.ts';
import { Stack } from '../../stack/runner.ts';
import { lokiQuery } from './helpers/backends.ts';
import { eventually } from './helpers/eventually.ts';
import { ServiceProcess } from '../../instrumentation/test/helpers/service-process.ts';

let stack: Stack | undefined;

before(async () => {
  stack = await Stack.start();
});

after(async () => {
  await stack?.stop();
});

test('HOPSCOPE_LOKI_URL: the service’s lines are in Loki under its service_name, with trace ids', async () => {
  const marker = randomUUID();
  const service = new ServiceProcess(new URL('./fixtures/loki-direct.mjs', import.meta.url), {
    OTEL_SERVICE_NAME: 'loki-direct',
    OTEL_TRACES_EXPORTER: 'none',
    HOPSCOPE_LOKI_URL: URLS.loki,
    MARKER: marker,
  });
  await service.ended(); // the fixture flushes and ends by itself
  const entries = await eventually('the line in Loki', async () => {
    const found = await lokiQuery(`{service_name="loki-direct"} |= "${marker}"`);
    return found.length > 0 ? found : undefined;
  });
  const line = JSON.parse(entries[0].line) as Record<string, unknown>;
  assert.equal(line['msg'], 'sent straight to loki');
  assert.match(String(line['trace_id']), /^[0-9a-f]{32}$/);
  assert.equal(entries[0].stream['service_name'], 'loki-direct');
});
