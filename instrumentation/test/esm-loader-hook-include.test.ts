// The ESM loader hook wraps only the modules the instrumentations hook: wrapping costs a parse
// of the module's exports and a wrapper module per import (issue 11, startup), and an app's
// other ESM imports must reach it as they are. An ESM express app started with only the
// register flag still gets its route on the SERVER span.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KIND, OtlpReceiver } from './helpers/otlp-receiver.ts';
import { ServiceProcess } from './helpers/service-process.ts';

// Loaded before the register flag: prints each module import-in-the-middle wrapped (its wrapper
// module imports the real one, so the real one resolves with the wrapper as its parent).
const REPORT_WRAPPED = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module';
registerHooks({ resolve(specifier, context, nextResolve) {
  const resolved = nextResolve(specifier, context);
  if (context.parentURL?.includes('iitm=')) process.stdout.write(JSON.stringify({ msg: 'wrapped', url: resolved.url }) + '\\n');
  return resolved;
} });
`)}`;

const receiver = new OtlpReceiver();
let service: ServiceProcess;

before(async () => {
  const otlp = await receiver.listen();
  service = new ServiceProcess(
    'esm-unhooked-imports.mjs',
    { OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_SERVICE_NAME: 'esm-include' },
    ['--import', REPORT_WRAPPED, '--import', '@hopscope/instrumentation/register'],
  );
});

after(async () => {
  await service?.stop();
  await receiver.close();
});

test('an ESM app gets its own modules and uninstrumented packages unwrapped, express instrumented', async () => {
  const response = await fetch(`${await service.baseUrl()}/things/42`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { ownNamespace: true }, 'the app was handed its own module namespace');

  const server = await receiver.waitFor('the SERVER span', () =>
    receiver.spans.find((span) => span.service === 'esm-include' && span.kind === KIND.SERVER),
  );
  assert.equal(server.attributes['http.route'], '/things/:id', 'express instrumented through the ESM import');
  assert.equal(server.attributes['thing.id'], '42', '@opentelemetry/api imported by the app works');

  const wrapped = service.lines.filter((line) => line['msg'] === 'wrapped').map((line) => String(line['url']));
  assert.ok(
    wrapped.some((url) => url.includes('/node_modules/express/')),
    `express wrapped; wrapped: ${wrapped.join(', ')}`,
  );
  const notHooked = wrapped.filter((url) => !/\/node_modules\/express\/|^node:https?$/.test(url));
  assert.deepEqual(notHooked, [], 'modules no instrumentation hooks were wrapped');
});
