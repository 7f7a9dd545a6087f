// The http/protobuf log transport encodes pino lines itself: a collector must see the records
// the other protocols send, which are pinoLineRecord()'s records serialized by otlp-transformer.
// Both requests are decoded with protobufjs against the OTLP logs schema and compared whole.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { PinoLineEncoder } from '../src/logs/pino-line-encoder.ts';
import { pinoLineRecord } from '../src/logs/pino-line-record.ts';
import { decodeLogsRequest } from './helpers/otlp-proto.ts';

const SERVICE = 'paiements 💳';
const SCOPE = '@hopscope/instrumentation';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const NOW = 1_796_000_000_000;

function upstream(lines: Array<Record<string, unknown>>): Uint8Array {
  // One resource and one scope object, as the transport has: upstream groups records by identity.
  const resource = resourceFromAttributes({ 'service.name': SERVICE });
  const scope = { name: SCOPE };
  const records = lines.map((line) => pinoLineRecord(line, resource, scope));
  return ProtobufLogsSerializer.serializeRequest(records)!;
}

function encoded(lines: Array<Record<string, unknown>>): Uint8Array {
  const encoder = new PinoLineEncoder(SERVICE, SCOPE);
  for (const line of lines) assert.ok(encoder.add(line));
  assert.equal(encoder.count, lines.length);
  return encoder.take()!;
}

// Strings around the one-byte length boundary (127 bytes), in ASCII, 2-, 3- and 4-byte UTF-8,
// and a lone surrogate (encoded as U+FFFD by both).
const STRINGS = ['', 'a', 'x'.repeat(42), 'x'.repeat(200), 'é'.repeat(42), '€'.repeat(43), '😀'.repeat(30), 'ok\uD800'];

const LINES: Array<Record<string, unknown>> = [
  {
    level: 30,
    time: 1_796_000_000_123,
    pid: 7,
    hostname: 'h',
    service_name: 'orders',
    trace_id: TRACE_ID,
    span_id: SPAN_ID,
    trace_flags: '01',
    order_id: '42',
    msg: 'order read',
  },
  // Every level, an unsampled trace, upper-case ids, fields of every JSON type.
  { level: 10, msg: 'trace', trace_id: TRACE_ID, span_id: SPAN_ID, trace_flags: '00' },
  { level: 20, msg: 'debug', trace_id: TRACE_ID.toUpperCase(), span_id: SPAN_ID.toUpperCase() },
  { level: 40, msg: 'warn', attempt: 3, ratio: 0.25, negative: -7, big: 2 ** 53, huge: 1e300, ok: true, no: false },
  {
    level: 50,
    msg: 'error',
    err: { type: 'Error', message: 'card declined', stack: 'Error: card declined\n    at x', nested: { deep: [1] } },
    list: ['a', 1, true, null, { k: 'v' }, []],
    empty: {},
    nothing: null,
  },
  { level: 60, msg: 'fatal', ...Object.fromEntries(STRINGS.map((value, i) => [`s${i}`, value])) },
  { level: 35, msg: STRINGS[6] },
  // No level, no time, no message, a message that is not a string, ids that are not valid.
  {},
  { level: 'info', time: 'yesterday', msg: 42 },
  { level: 30, msg: 'bad ids', trace_id: 'zz', span_id: SPAN_ID },
  { level: 30, msg: 'zero ids', trace_id: '0'.repeat(32), span_id: '0'.repeat(16) },
  { level: 30, msg: 'fractional time', time: 1_796_000_000_123.456 },
  // Keys in other scripts, and past the 128 attributes a record keeps.
  { level: 30, msg: 'ünïcødé', 'ключ.значение': 'naïve — 日本語' },
  { level: 30, msg: 'wide', ...Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`f${i}`, i])) },
];

test('every line encodes to the record the other protocols send', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: NOW });
  const ours = decodeLogsRequest(encoded(LINES));
  assert.deepStrictEqual(ours, decodeLogsRequest(upstream(LINES)));
  const records = (ours['resourceLogs'] as Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }>)[0].scopeLogs[0]
    .logRecords;
  assert.equal(records.length, LINES.length);
});

test('a batch ends when taken: the next starts empty, and nothing is taken from an empty one', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: NOW });
  const encoder = new PinoLineEncoder(SERVICE, SCOPE);
  assert.equal(encoder.take(), undefined);
  encoder.add(LINES[0]);
  const first = encoder.take()!;
  assert.equal(encoder.count, 0);
  for (const line of LINES.slice(1)) encoder.add(line);
  const second = encoder.take()!;
  assert.deepStrictEqual(decodeLogsRequest(first), decodeLogsRequest(upstream(LINES.slice(0, 1))));
  assert.deepStrictEqual(decodeLogsRequest(second), decodeLogsRequest(upstream(LINES.slice(1))));
});

test('a batch over 2 MiB and one of a single line encode whole (their lengths need more, or fewer, bytes than reserved)', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: NOW });
  // About 20 KiB a line: 120 lines make a batch of over 2 MiB, past a 3-byte length.
  const lines = Array.from({ length: 120 }, (_, i) => ({ level: 30, msg: `line ${i}`, blob: 'y'.repeat(20_000) }));
  assert.deepStrictEqual(decodeLogsRequest(encoded(lines)), decodeLogsRequest(upstream(lines)));
  const small = [{ level: 30, msg: 'one' }];
  assert.deepStrictEqual(decodeLogsRequest(encoded(small)), decodeLogsRequest(upstream(small)));
});

test('a line nested deeper than the stack allows is refused, and the batch keeps the lines around it', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: NOW });
  let deep: unknown = 'bottom';
  for (let i = 0; i < 200_000; i++) deep = [deep];
  const encoder = new PinoLineEncoder(SERVICE, SCOPE);
  assert.equal(encoder.add(LINES[0]), true);
  assert.equal(encoder.add({ level: 30, msg: 'deep', deep }), false);
  assert.equal(encoder.add(LINES[1]), true);
  assert.equal(encoder.count, 2);
  assert.deepStrictEqual(decodeLogsRequest(encoder.take()!), decodeLogsRequest(upstream(LINES.slice(0, 2))));
});
