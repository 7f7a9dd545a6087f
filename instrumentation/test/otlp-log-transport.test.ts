// The log transport as pino's worker runs it: chunks of JSON lines in, OTLP log records out to
// a receiver. The worker gets whatever the shared buffer held, so a chunk can end mid-line.
// http/protobuf (the default) encodes lines itself; the other protocols go through the SDK's
// batch processor and upstream's exporters: every test runs with both.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import type { OtlpProtocol } from '../src/config.ts';
import otlpLogTransport from '../src/logs/otlp-log-transport.ts';
import { OtlpReceiver } from './helpers/otlp-receiver.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

const PROTOCOLS: OtlpProtocol[] = ['http/protobuf', 'http/json'];

async function ship(chunks: string[], protocol: OtlpProtocol) {
  const receiver = new OtlpReceiver();
  const url = await receiver.listen();
  try {
    const transport = otlpLogTransport({
      target: { url: `${url}/v1/logs`, protocol, headers: {}, timeoutMillis: 5000 },
      serviceName: 'transport-test',
      batch: { scheduledDelayMillis: 20, maxQueueSize: 100, maxExportBatchSize: 50, exportTimeoutMillis: 5000 },
    });
    for (const chunk of chunks) transport.write(chunk);
    transport.end();
    await once(transport, 'close'); // after the last batch was exported
    return receiver.logs;
  } finally {
    await receiver.close();
  }
}

for (const protocol of PROTOCOLS) {
  test(`each line is one record with its level, message, fields and trace context, also when split across chunks (${protocol})`, async () => {
    const line = JSON.stringify({
      level: 50,
      time: 1_796_000_000_123,
      pid: 7,
      hostname: 'h',
      service_name: 'transport-test',
      trace_id: TRACE_ID,
      span_id: SPAN_ID,
      trace_flags: '01',
      order_id: '42',
      attempt: 2,
      err: { type: 'Error', message: 'card declined' },
      msg: 'charge failed',
    });
    const middle = Math.floor(line.length / 2);
    const [record] = await ship([line.slice(0, middle), `${line.slice(middle)}\n`], protocol);
    assert.ok(record, 'the split line arrives whole');
    assert.deepEqual(
      {
        body: record.body,
        severity: [record.severityText, record.severityNumber],
        trace: [record.traceId, record.spanId],
        attributes: record.attributes,
        service: record.service,
      },
      {
        body: 'charge failed',
        severity: ['error', 17],
        trace: [TRACE_ID, SPAN_ID],
        // pid, hostname and service_name are the resource's; the trace fields are the record's own.
        attributes: { order_id: '42', attempt: 2, err: { type: 'Error', message: 'card declined' } },
        service: 'transport-test',
      },
    );
  });
}

for (const protocol of PROTOCOLS) {
  test(`a line that is not JSON is skipped without stopping the lines after it; invalid trace ids give no trace context (${protocol})`, async () => {
    const records = await ship(
      ['not json\n', `${JSON.stringify({ level: 30, msg: 'after', trace_id: 'zz', span_id: SPAN_ID })}\n`],
      protocol,
    );
    assert.deepEqual(
      records.map((r) => [r.body, r.traceId, r.spanId]),
      [['after', '', '']],
    );
  });
}

for (const protocol of PROTOCOLS) {
  test(`past 128 fields a record keeps the first 128 and counts the rest as dropped, like the SDK (${protocol})`, async () => {
    const fields = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`f${i}`, i]));
    const [record] = await ship([`${JSON.stringify({ level: 30, msg: 'wide', ...fields })}\n`], protocol);
    assert.equal(Object.keys(record.attributes).length, 128);
    assert.equal(record.attributes['f127'], 127);
    assert.equal(record.droppedAttributesCount, 2);
  });
}
