// W3C Trace Context Level 1 and Level 2, rule by rule, as the official harness checks it: an
// express service started with only the register flag gets a request carrying the headers of a
// row (sent byte for byte over a socket, so names, duplicates and whitespace are as written),
// calls a downstream server here, and the row's expectation is checked against what that
// downstream received. Rules quote www.w3.org/TR/trace-context-2 ("§ traceparent", …).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { ServiceProcess } from './helpers/service-process.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const tp = (version: string, flags = '01', tail = '', trace = TRACE, parent = PARENT): string =>
  `${version}-${trace}-${parent}-${flags}${tail}`;
const VALID = tp('00');

type Header = [name: string, value: string];
interface Continued {
  flags: string;
  /** The exact tracestate sent downstream; undefined: none. */
  tracestate?: string;
}
interface Row {
  rule: string;
  headers: Header[];
  /** Continued with these flags (and tracestate), or restarted: a new trace id, no tracestate. */
  expect: Continued | 'restarted';
}

const continues = (flags: string, tracestate?: string): Continued => ({ flags, tracestate });
const withState = (...values: string[]): Header[] => [['traceparent', tp('00', '00')], ...values.map(stateHeader)];
const stateHeader = (value: string): Header => ['tracestate', value];
const members = (count: number, size: number, prefix = 'k'): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(2, '0')}=`.padEnd(size, 'v'));

const ALL_KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
// Printable ASCII but `,` and `=`; a leading space is part of the value and is kept.
const ALL_VALUE_CHARS = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i))
  .filter((c) => c !== ',' && c !== '=')
  .join('');

const TRACEPARENT_ROWS: Row[] = [
  // § traceparent Header Field Values, version 00.
  { rule: 'version 00, sampled', headers: [['traceparent', VALID]], expect: continues('01') },
  { rule: 'version 00, not sampled', headers: [['traceparent', tp('00', '00')]], expect: continues('00') },
  { rule: 'header name is case-insensitive', headers: [['TrAcEpArEnT', VALID]], expect: continues('01') },
  { rule: 'OWS around the value is ignored', headers: [['traceparent', ` \t${VALID}\t `]], expect: continues('01') },
  { rule: 'no traceparent: a new trace', headers: [], expect: 'restarted' },
  { rule: 'a wrong header name (trace-parent)', headers: [['trace-parent', VALID]], expect: 'restarted' },
  { rule: 'a wrong header name (trace.parent)', headers: [['trace.parent', VALID]], expect: 'restarted' },
  {
    rule: 'two traceparent headers',
    headers: [
      ['traceparent', VALID],
      ['traceparent', tp('00', '01', '', TRACE.replace('4', '5'))],
    ],
    expect: 'restarted',
  },
  { rule: 'version 00 longer than 55 (.)', headers: [['traceparent', `${VALID}.`]], expect: 'restarted' },
  { rule: 'version 00 longer than 55 (-more)', headers: [['traceparent', `${VALID}-more`]], expect: 'restarted' },
  { rule: 'version ff is invalid', headers: [['traceparent', tp('ff')]], expect: 'restarted' },
  { rule: 'version with an illegal character', headers: [['traceparent', tp('.0')]], expect: 'restarted' },
  { rule: 'version in upper case', headers: [['traceparent', tp('CC')]], expect: 'restarted' },
  { rule: 'version of 1 digit', headers: [['traceparent', tp('0')]], expect: 'restarted' },
  { rule: 'version of 3 digits', headers: [['traceparent', tp('000')]], expect: 'restarted' },
  { rule: 'trace-id all zero', headers: [['traceparent', tp('00', '01', '', '0'.repeat(32))]], expect: 'restarted' },
  {
    rule: 'trace-id upper case',
    headers: [['traceparent', tp('00', '01', '', TRACE.toUpperCase())]],
    expect: 'restarted',
  },
  { rule: 'trace-id of 31', headers: [['traceparent', tp('00', '01', '', TRACE.slice(1))]], expect: 'restarted' },
  { rule: 'trace-id of 33', headers: [['traceparent', tp('00', '01', '', `${TRACE}0`)]], expect: 'restarted' },
  {
    rule: 'trace-id not hex',
    headers: [['traceparent', tp('00', '01', '', `.${TRACE.slice(1)}`)]],
    expect: 'restarted',
  },
  {
    rule: 'parent-id all zero',
    headers: [['traceparent', tp('00', '01', '', TRACE, '0'.repeat(16))]],
    expect: 'restarted',
  },
  {
    rule: 'parent-id of 15',
    headers: [['traceparent', tp('00', '01', '', TRACE, PARENT.slice(1))]],
    expect: 'restarted',
  },
  { rule: 'parent-id of 17', headers: [['traceparent', tp('00', '01', '', TRACE, `${PARENT}0`)]], expect: 'restarted' },
  {
    rule: 'parent-id not hex',
    headers: [['traceparent', tp('00', '01', '', TRACE, `${PARENT.slice(1)}.`)]],
    expect: 'restarted',
  },
  { rule: 'trace-flags of 1', headers: [['traceparent', tp('00', '1')]], expect: 'restarted' },
  { rule: 'trace-flags of 3', headers: [['traceparent', tp('00', '001')]], expect: 'restarted' },
  { rule: 'trace-flags not hex', headers: [['traceparent', tp('00', '0.')]], expect: 'restarted' },
  // § Other Flags: "Vendors MUST set those to zero" on what they send.
  { rule: 'unknown flags are zeroed', headers: [['traceparent', tp('00', 'fd')]], expect: continues('01') },
  // § Versioning of traceparent: a higher version is read by its first four fields and sent as 00.
  { rule: 'future version, 55 characters', headers: [['traceparent', tp('cc')]], expect: continues('01') },
  {
    rule: 'future version with more fields',
    headers: [['traceparent', tp('cc', '01', '-what-the-future-will-be-like')]],
    expect: continues('01'),
  },
  {
    rule: 'future version, only known flags kept',
    headers: [['traceparent', tp('cc', 'f8', '-x')]],
    expect: continues('00'),
  },
  {
    rule: 'future version: flags followed by a non-dash',
    headers: [['traceparent', tp('cc', '01', '.what-the-future-will-be-like')]],
    expect: 'restarted',
  },
  { rule: 'future version shorter than 55', headers: [['traceparent', tp('cc', '1')]], expect: 'restarted' },
  {
    rule: 'future version up to 512 characters is read',
    headers: [['traceparent', tp('cc', '01', `-${'x'.repeat(512 - 56)}`)]],
    expect: continues('01'),
  },
  {
    rule: 'future version over 512 characters is refused (prohibitively large)',
    headers: [['traceparent', tp('cc', '01', `-${'x'.repeat(512 - 55)}`)]],
    expect: 'restarted',
  },
  // § Random Trace ID Flag (Level 2): kept as received on a continued trace, set or unset.
  { rule: 'random flag set is kept', headers: [['traceparent', tp('00', '02')]], expect: continues('02') },
  { rule: 'random flag and sampled are kept', headers: [['traceparent', tp('00', '03')]], expect: continues('03') },
  {
    rule: 'random flag of a future version',
    headers: [['traceparent', tp('cc', '03', '-x')]],
    expect: continues('03'),
  },
];

const TRACESTATE_ROWS: Row[] = [
  // § Tracestate Header: read only with a valid traceparent; a restart cleans it up.
  { rule: 'tracestate without traceparent is discarded', headers: [stateHeader('foo=1')], expect: 'restarted' },
  {
    rule: 'tracestate with an invalid traceparent is discarded',
    headers: [['traceparent', tp('ff')], stateHeader('foo=1')],
    expect: 'restarted',
  },
  { rule: 'inherited in order', headers: withState('foo=1,bar=2'), expect: continues('00', 'foo=1,bar=2') },
  {
    rule: 'header name is case-insensitive',
    headers: [
      ['traceparent', tp('00', '00')],
      ['TrAcEsTaTe', 'foo=1'],
    ],
    expect: continues('00', 'foo=1'),
  },
  {
    rule: 'a wrong header name (trace-state)',
    headers: [
      ['traceparent', tp('00', '00')],
      ['trace-state', 'foo=1'],
    ],
    expect: continues('00'),
  },
  {
    rule: 'several headers are one list, in order',
    headers: withState('foo=1,bar=2', 'rojo=1,congo=2', 'baz=3'),
    expect: continues('00', 'foo=1,bar=2,rojo=1,congo=2,baz=3'),
  },
  { rule: 'an empty header is accepted, nothing sent', headers: withState(''), expect: continues('00') },
  { rule: 'an empty header among others', headers: withState('', 'foo=1', ''), expect: continues('00', 'foo=1') },
  {
    rule: 'empty list members are allowed',
    headers: withState('foo=1,, ,\t,bar=2'),
    expect: continues('00', 'foo=1,bar=2'),
  },
  {
    rule: 'OWS around members is ignored',
    headers: withState('foo=1 \t , \t bar=2'),
    expect: continues('00', 'foo=1,bar=2'),
  },
  { rule: 'leading spaces of a value are kept', headers: withState('foo=  1'), expect: continues('00', 'foo=  1') },
  // § Key (Level 2): ( lcalpha / DIGIT ) 0*255 ( keychar ), keychar adds _ - * / @.
  {
    rule: 'every key character',
    headers: withState(`${ALL_KEY_CHARS}=1`),
    expect: continues('00', `${ALL_KEY_CHARS}=1`),
  },
  { rule: 'a key may start with a digit', headers: withState('1vendor=1'), expect: continues('00', '1vendor=1') },
  { rule: 'Level 1 tenant@system key', headers: withState('tenant@rojo=1'), expect: continues('00', 'tenant@rojo=1') },
  {
    rule: '@ anywhere after the first character',
    headers: withState('foo@=1,foo@@bar=2,a@b@c=3'),
    expect: continues('00', 'foo@=1,foo@@bar=2,a@b@c=3'),
  },
  { rule: 'a key of 256', headers: withState(`${'z'.repeat(256)}=1`), expect: continues('00', `${'z'.repeat(256)}=1`) },
  {
    rule: 'a key of 257 discards the header',
    headers: withState('foo=1', `${'z'.repeat(257)}=1`),
    expect: continues('00'),
  },
  { rule: 'a key starting with @ discards the header', headers: withState('@foo=1,bar=2'), expect: continues('00') },
  { rule: 'an upper-case key discards the header', headers: withState('FOO=1,bar=2'), expect: continues('00') },
  { rule: 'a key with a dot discards the header', headers: withState('foo.bar=1,bar=2'), expect: continues('00') },
  { rule: 'a key with a space discards the header', headers: withState('foo =1,bar=2'), expect: continues('00') },
  { rule: 'a key starting with _ discards the header', headers: withState('_foo=1,bar=2'), expect: continues('00') },
  { rule: 'a member without = discards the header', headers: withState('foo,bar=2'), expect: continues('00') },
  // § Value: 0*255( chr ) nblk-chr, printable ASCII but , and =.
  {
    rule: 'every value character',
    headers: withState(`foo=${ALL_VALUE_CHARS}`),
    expect: continues('00', `foo=${ALL_VALUE_CHARS}`),
  },
  {
    rule: 'a value of 256',
    headers: withState(`foo=${'v'.repeat(256)}`),
    expect: continues('00', `foo=${'v'.repeat(256)}`),
  },
  {
    rule: 'a value of 257 discards the header',
    headers: withState(`foo=${'v'.repeat(257)},bar=2`),
    expect: continues('00'),
  },
  { rule: 'an empty value discards the header', headers: withState('foo=,bar=3'), expect: continues('00') },
  { rule: 'a value with = discards the header', headers: withState('foo=bar=baz'), expect: continues('00') },
  { rule: 'a value with a tab discards the header', headers: withState('foo=a\tb,bar=2'), expect: continues('00') },
  {
    rule: 'a value beyond ASCII discards the header',
    headers: withState('foo=caf\u00e9,bar=2'),
    expect: continues('00'),
  },
  // § list: at most 32 list-members.
  {
    rule: '32 members are kept',
    headers: withState(members(32, 8).join(',')),
    expect: continues('00', members(32, 8).join(',')),
  },
  { rule: '33 members discard the header', headers: withState(members(33, 8).join(',')), expect: continues('00') },
  // § Combined Header Value / Mutating: the same key once; we keep the left-most (most recent).
  {
    rule: 'a duplicate key keeps the first',
    headers: withState('foo=1,foo=2,bar=3'),
    expect: continues('00', 'foo=1,bar=3'),
  },
  { rule: 'a duplicate key across headers', headers: withState('foo=1', 'foo=2'), expect: continues('00', 'foo=1') },
  // § tracestate Limits: past 512 characters, whole entries go, over-128 ones first, then from the right.
  {
    rule: 'truncation drops the entries over 128 first',
    headers: withState([...members(5, 20), `big=${'b'.repeat(200)}`, ...members(15, 20, 'm')].join(',')),
    expect: continues('00', [...members(5, 20), ...members(15, 20, 'm')].join(',')),
  },
  {
    rule: 'truncation drops only as many large entries as it takes, right-most first',
    headers: withState([`big1=${'a'.repeat(150)}`, ...members(15, 20), `big2=${'b'.repeat(150)}`].join(',')),
    expect: continues('00', [`big1=${'a'.repeat(150)}`, ...members(15, 20)].join(',')),
  },
  {
    rule: 'truncation then drops from the right',
    headers: withState(members(30, 20).join(',')),
    expect: continues('00', members(24, 20).join(',')),
  },
];

let service: ServiceProcess;
let servicePort: number;
const downstream = new Map<string, IncomingMessage>();
let downstreamServer: Server;
let downstreamUrl: string;

before(async () => {
  downstreamServer = createServer((req, res) => {
    downstream.set(req.url ?? '', req);
    req.resume();
    res.setHeader('content-type', 'application/json').end('[]');
  });
  downstreamServer.listen(0, '127.0.0.1');
  await once(downstreamServer, 'listening');
  const address = downstreamServer.address();
  downstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  service = new ServiceProcess('trace-context-service.mjs', {
    OTEL_SERVICE_NAME: 'trace-context-conformance',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  });
  servicePort = Number((await service.waitForLine('listening'))['port']);
});

after(async () => {
  await service?.stop();
  downstreamServer?.close();
});

let nextCall = 0;

/** What the service sent downstream for a request carrying `headers`, one downstream call per `calls`. */
async function propagated(
  headers: Header[],
  calls = 1,
): Promise<Array<{ traceparent: string[]; tracestate: string[] }>> {
  const paths = Array.from({ length: calls }, () => `/call-${String(nextCall++)}`);
  const body = JSON.stringify(paths.map((path) => ({ url: `${downstreamUrl}${path}`, arguments: [] })));
  const status = await rawPost(servicePort, '/test', headers, body);
  assert.equal(status, 200, 'the service serves the request whatever its trace context');
  return paths.map((path) => {
    const request = downstream.get(path);
    assert.ok(request, `the service called ${path}`);
    const values = (name: string): string[] =>
      request.rawHeaders.filter((_, i) => i % 2 === 1 && request.rawHeaders[i - 1].toLowerCase() === name);
    return { traceparent: values('traceparent'), tracestate: values('tracestate') };
  });
}

/** An HTTP/1.1 POST written byte for byte, so header names, repeats and whitespace stay as given. */
async function rawPost(port: number, path: string, headers: Header[], body: string): Promise<number> {
  const socket = connect(port, '127.0.0.1');
  const head = [
    `POST ${path} HTTP/1.1`,
    'host: 127.0.0.1',
    'content-type: application/json',
    `content-length: ${String(Buffer.byteLength(body))}`,
    'connection: close',
    ...headers.map(([name, value]) => `${name}: ${value}`),
  ];
  // write, not end: a half-closed socket makes node's server drop the request before it answers.
  socket.write(Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`, 'latin1'));
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  const statusLine = /^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'));
  return Number(statusLine?.[1]);
}

const TRACEPARENT_OUT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

for (const { rule, headers, expect } of [...TRACEPARENT_ROWS, ...TRACESTATE_ROWS]) {
  test(`${rule} → ${expect === 'restarted' ? 'restarted' : `continued, flags ${expect.flags}`}`, async () => {
    const [call] = await propagated(headers);
    assert.equal(call.traceparent.length, 1, 'one traceparent is sent');
    const [, traceId, parentId, flags] = TRACEPARENT_OUT.exec(call.traceparent[0]) ?? [];
    assert.ok(traceId, `a version 00 traceparent is sent: ${call.traceparent[0]}`);
    const tracestate = call.tracestate.length > 0 ? call.tracestate.join(',') : undefined;
    if (expect === 'restarted') {
      assert.notEqual(traceId, TRACE, 'a new trace id');
      // Our own root: sampled by the default parent-based sampler, and our trace ids are random.
      assert.equal(flags, '03', 'a new trace id we drew: sampled, random flag set');
      assert.equal(tracestate, undefined, 'no tracestate on a restarted trace');
    } else {
      assert.equal(traceId, TRACE, 'the same trace id');
      assert.notEqual(parentId, PARENT, 'the parent id is ours');
      assert.equal(flags, expect.flags);
      assert.equal(tracestate, expect.tracestate);
    }
  });
}

test('several downstream calls of one continued request: one trace id, a parent id each', async () => {
  const calls = await propagated([['traceparent', VALID]], 3);
  const parsed = calls.map((call) => TRACEPARENT_OUT.exec(call.traceparent[0] ?? '') ?? []);
  assert.deepEqual(new Set(parsed.map(([, traceId]) => traceId)), new Set([TRACE]));
  assert.equal(new Set(parsed.map(([, , parentId]) => parentId)).size, 3);
});

test('several downstream calls of a new trace: one new trace id, all with the random flag', async () => {
  const calls = await propagated([['traceparent', tp('00', '01', '', '0'.repeat(32))]], 3);
  const parsed = calls.map((call) => TRACEPARENT_OUT.exec(call.traceparent[0] ?? '') ?? []);
  assert.equal(new Set(parsed.map(([, traceId]) => traceId)).size, 1);
  assert.equal(new Set(parsed.map(([, , parentId]) => parentId)).size, 3);
  for (const [, , , flags] of parsed) assert.equal(Number.parseInt(flags ?? '0', 16) & 0x02, 0x02);
});
