// Logs are drop-in too: an application that logs with winston, bunyan or the console, started
// with only the register flag, gets the request's trace id on its winston/bunyan lines and
// their records over OTLP; its console lines are shipped only with HOPSCOPE_CAPTURE_CONSOLE=true,
// and what it prints is the same with or without the package.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { sampleSum } from './helpers/metrics-text.ts';
import { OtlpReceiver, type ReceivedLog } from './helpers/otlp-receiver.ts';
import { ServiceProcess } from './helpers/service-process.ts';

const receiver = new OtlpReceiver();
let captured: ServiceProcess;
let uncaptured: ServiceProcess;
let bare: ServiceProcess;
let otlp: string;

before(async () => {
  otlp = await receiver.listen();
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
  captured = new ServiceProcess('drop-in-logs.mjs', {
    ...env,
    OTEL_SERVICE_NAME: 'logs-captured',
    HOPSCOPE_CAPTURE_CONSOLE: 'true',
  });
  uncaptured = new ServiceProcess('drop-in-logs.mjs', { ...env, OTEL_SERVICE_NAME: 'logs-uncaptured' });
  bare = new ServiceProcess('drop-in-logs.mjs', {}, []);
});

after(async () => {
  await Promise.all([captured?.stop(), uncaptured?.stop(), bare?.stop()]);
  await receiver.close();
});

/** Sends GET /work in a trace of the test's own; resolves with that trace id. */
async function work(service: ServiceProcess, id: string): Promise<string> {
  const traceId = randomBytes(16).toString('hex');
  const response = await fetch(`${await service.baseUrl()}/work?id=${id}`, {
    headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
  });
  assert.equal(await response.text(), 'ok');
  return traceId;
}

/** The first stdout JSON line that `matches`; winston writes `message` where pino and bunyan write `msg`. */
async function stdoutLine(service: ServiceProcess, matches: (line: Record<string, unknown>) => boolean) {
  return receiver.waitFor('a stdout line', () => service.lines.find(matches), 15_000);
}

function logsOf(service: string, id: string): ReceivedLog[] {
  return receiver.logs.filter((log) => log.service === service && String(log.body).includes(id));
}

test('winston and bunyan lines carry the request trace id on stdout and arrive as OTLP log records', async () => {
  const id = `wb-${randomBytes(4).toString('hex')}`;
  const traceId = await work(uncaptured, id);

  const winstonLine = await stdoutLine(uncaptured, (l) => l['message'] === 'winston line' && l['id'] === id);
  const bunyanLine = await stdoutLine(uncaptured, (l) => l['msg'] === 'bunyan line' && l['id'] === id);
  for (const line of [winstonLine, bunyanLine]) {
    assert.equal(line['id'], id);
    assert.equal(line['trace_id'], traceId);
    assert.match(String(line['span_id']), /^[0-9a-f]{16}$/);
  }
  const serverSpan = await receiver.waitFor('the request span', () =>
    receiver.spans.find((s) => s.service === 'logs-uncaptured' && s.traceId === traceId),
  );
  assert.equal(winstonLine['span_id'], serverSpan.spanId, 'the lines are in the request span');

  const records = await receiver.waitFor('the winston and bunyan records', () => {
    const found = receiver.logs.filter((log) => log.service === 'logs-uncaptured' && log.attributes['id'] === id);
    return found.length >= 2 && found;
  });
  assert.deepEqual(records.map((r) => r.body).sort(), ['bunyan line', 'winston line']);
  for (const record of records) {
    assert.equal(record.traceId, traceId);
    assert.equal(record.spanId, serverSpan.spanId);
  }
});

test('without HOPSCOPE_CAPTURE_CONSOLE, console lines are not shipped', async () => {
  const id = `nc-${randomBytes(4).toString('hex')}`;
  await work(uncaptured, id);
  // The winston record proves this export went out; a console record would be in it or before it.
  await receiver.waitFor('the winston record', () =>
    receiver.logs.find((log) => log.service === 'logs-uncaptured' && log.attributes['id'] === id),
  );
  await receiver.waitFor('the bunyan record', () =>
    receiver.logs.find((log) => log.body === 'bunyan line' && log.attributes['id'] === id),
  );
  assert.deepEqual(logsOf('logs-uncaptured', id), []);
});

test('with HOPSCOPE_CAPTURE_CONSOLE=true, each console line is an OTLP record in the request trace', async () => {
  const id = `cc-${randomBytes(4).toString('hex')}`;
  const traceId = await work(captured, id);

  const records = await receiver.waitFor('five console records', () => {
    const found = logsOf('logs-captured', id);
    return found.length >= 5 && found;
  });
  const byStream = records.map((r) => [String(r.body).split(' ')[1], r.attributes['log.iostream']]);
  assert.deepEqual(byStream.sort(), [
    ['debug', 'stdout'],
    ['error', 'stderr'],
    ['info', 'stdout'],
    ['log', 'stdout'],
    ['warn', 'stderr'],
  ]);
  const log = records.find((r) => String(r.body).startsWith('console log'));
  assert.equal(log?.body, `console log ${id} has 3 items { nested: { list: [ 1, 2 ] } }`);
  for (const record of records) assert.equal(record.traceId, traceId);
});

test('console output is byte for byte what the application prints without the package', async () => {
  const id = `same-${randomBytes(4).toString('hex')}`;
  await Promise.all([work(captured, id), work(bare, id)]);
  const consoleOutput = async (service: ServiceProcess) => {
    await stdoutLine(service, (l) => l['msg'] === 'bunyan line' && l['id'] === id);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const stdout = service.lines.map((l) => l['unparsed']).filter((l) => String(l).includes(id));
      const stderr = service.stderr.filter((l) => l.includes(id));
      if ((stdout.length >= 3 && stderr.length >= 2) || Date.now() > deadline) return { stdout, stderr };
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const [withPackage, without] = await Promise.all([consoleOutput(captured), consoleOutput(bare)]);
  assert.equal(without.stdout.length, 3, 'console.log, info and debug on stdout');
  assert.equal(without.stderr.length, 2, 'console.warn and console.error on stderr');
  assert.deepEqual(withPackage, without);
});

test('winston records the collector cannot take are counted as dropped and failed, not kept', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const deadEndpoint = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
  const metricsPort = 20000 + Math.floor(Math.random() * 10000);
  const service = new ServiceProcess('drop-in-logs.mjs', {
    OTEL_EXPORTER_OTLP_ENDPOINT: deadEndpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_TIMEOUT: '300',
    OTEL_BLRP_MAX_QUEUE_SIZE: '16',
    OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '16',
    HOPSCOPE_METRICS_PORT: String(metricsPort),
    HOPSCOPE_METRICS_HOST: '127.0.0.1',
  });
  try {
    assert.equal(await (await fetch(`${await service.baseUrl()}/burst?n=500`)).text(), 'ok');
    const lost = async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return {
        dropped: sampleSum(metrics, 'hopscope_telemetry_log_records_dropped_total'),
        failed: sampleSum(metrics, 'hopscope_telemetry_log_records_export_failed_total'),
      };
    };
    let counted = await lost();
    for (const deadline = Date.now() + 15_000; counted.dropped + counted.failed < 500 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      counted = await lost();
    }
    assert.equal(counted.dropped + counted.failed, 500, 'every record counted once');
    assert.ok(counted.dropped >= 500 - 16 * 2, `at most the queue and a batch held, ${JSON.stringify(counted)}`);
  } finally {
    await service.stop();
  }
});

test('winston, bunyan and console records still waiting for their batch are sent on SIGTERM', async () => {
  const service = new ServiceProcess('drop-in-logs.mjs', {
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'logs-at-exit',
    HOPSCOPE_CAPTURE_CONSOLE: 'true',
    OTEL_BLRP_SCHEDULE_DELAY: '60000',
  });
  const id = `exit-${randomBytes(4).toString('hex')}`;
  try {
    await work(service, id);
  } finally {
    await service.stop();
  }
  const records = receiver.logs.filter(
    (log) => log.service === 'logs-at-exit' && (log.attributes['id'] === id || String(log.body).includes(id)),
  );
  assert.equal(records.length, 7, 'winston, bunyan and five console records');
});

test("with OTEL_LOG_LEVEL=debug the SDK's own console lines are printed but never captured", async () => {
  const service = new ServiceProcess('drop-in-logs.mjs', {
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'logs-diag',
    HOPSCOPE_CAPTURE_CONSOLE: 'true',
    OTEL_LOG_LEVEL: 'debug',
  });
  try {
    await work(service, `diag-${randomBytes(4).toString('hex')}`);
    const ofService = () => receiver.logs.filter((log) => log.service === 'logs-diag');
    await receiver.waitFor('the seven records', () => ofService().length >= 7);
    // Each export logs its items at debug: were they captured, every batch would beget another.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.ok(
      service.lines.some((line) => String(line['unparsed']).startsWith('OTLPExportDelegate')),
      'the SDK printed its diagnostics',
    );
    assert.equal(ofService().length, 7, 'winston, bunyan and the five console lines of the request, nothing else');
  } finally {
    await service.stop();
  }
});
