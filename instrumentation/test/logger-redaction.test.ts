// The logger's default redaction as a user sees it: on stdout and in the OTLP log records a
// collector receives (the package's own transport worker, exporting to a local receiver).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { createLogger } from '../src/logs/logger.ts';
import { shutdown, start } from '../src/start.ts';

// The raw OTLP/JSON log records as exported, nested attribute values (kvlistValue) included.
const records: Array<{ body?: { stringValue?: string } }> = [];
const receiver = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const payload = JSON.parse(Buffer.concat(chunks).toString()) as {
      resourceLogs?: Array<{ scopeLogs?: Array<{ logRecords?: typeof records }> }>;
    };
    for (const resource of payload.resourceLogs ?? []) {
      for (const scope of resource.scopeLogs ?? []) records.push(...(scope.logRecords ?? []));
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const otlp = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
start({
  serviceName: 'redaction-test',
  env: {
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_BLRP_SCHEDULE_DELAY: '50',
  },
});
after(async () => {
  await shutdown();
  receiver.closeAllConnections();
  receiver.close();
});

function capture() {
  const stdout: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      stdout.push(chunk.toString());
      done();
    },
  });
  return { stdout, destination };
}

/** The line on "stdout" and the OTLP record of the line whose msg is `msg`, both as text. */
async function loggedAs(stdout: string[], msg: string): Promise<{ line: string; record: string }> {
  const line = stdout.find((l) => (JSON.parse(l) as { msg?: string }).msg === msg);
  assert.ok(line, `a "${msg}" line on stdout`);
  const deadline = Date.now() + 20_000;
  let record;
  while (!(record = records.find((r) => r.body?.stringValue === msg))) {
    assert.ok(Date.now() < deadline, `no OTLP record of "${msg}"`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { line, record: JSON.stringify(record) };
}

function assertHidden(logged: { line: string; record: string }, secrets: string[]): void {
  for (const secret of secrets) {
    assert.ok(!logged.line.includes(secret), `${secret} on stdout: ${logged.line}`);
    assert.ok(!logged.record.includes(secret), `${secret} in the OTLP record: ${logged.record}`);
  }
}

test('set-cookie is redacted at the top level, one level down and in headers', async () => {
  const { stdout, destination } = capture();
  const log = createLogger({ destination });
  log.info(
    {
      'set-cookie': 'session=top-s3cr3t',
      res: { 'set-cookie': ['session=res-s3cr3t'], statusCode: 200 },
      req: { headers: { 'set-cookie': 'session=hdr-s3cr3t', accept: 'json' } },
    },
    'set-cookie cases',
  );
  const logged = await loggedAs(stdout, 'set-cookie cases');
  assertHidden(logged, ['top-s3cr3t', 'res-s3cr3t', 'hdr-s3cr3t']);
  assert.ok(logged.line.includes('"statusCode":200') && logged.line.includes('"accept":"json"'), 'others kept');
  assert.ok(logged.record.includes('"stringValue":"json"'), `other fields are shipped: ${logged.record}`);
  for (const text of [logged.line, logged.record]) assert.ok(text.includes('[Redacted]'), 'the value is replaced');
});

test('every default key is redacted in lower, Capitalised and UPPER case, as headers and as fields', async () => {
  const { stdout, destination } = capture();
  const log = createLogger({ destination });
  const keys = ['authorization', 'cookie', 'set-cookie', 'password', 'token', 'secret'];
  const forms = (key: string) => [
    key,
    key.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => dash + letter.toUpperCase()),
    key.toUpperCase(),
  ];
  const fields: Record<string, unknown> = { user: {}, request: { headers: {} } };
  const secrets: string[] = [];
  for (const key of keys) {
    for (const [i, form] of forms(key).entries()) {
      const secret = `${key}-${i}-s3cr3t`;
      secrets.push(`top-${secret}`, `down-${secret}`, `header-${secret}`);
      fields[form] = `top-${secret}`;
      (fields['user'] as Record<string, unknown>)[form] = `down-${secret}`;
      ((fields['request'] as Record<string, unknown>)['headers'] as Record<string, unknown>)[form] = `header-${secret}`;
    }
  }
  fields['setCookie'] = 'top-camel-s3cr3t';
  fields['set_cookie'] = 'top-snake-s3cr3t';
  secrets.push('top-camel-s3cr3t', 'top-snake-s3cr3t');
  const before = JSON.stringify(fields);
  log.info(fields, 'case forms');
  assertHidden(await loggedAs(stdout, 'case forms'), secrets);
  assert.equal(JSON.stringify(fields), before, "the application's object is not changed");
});

test("a child logger's bindings are redacted, and so are its children's", async () => {
  const { stdout, destination } = capture();
  const child = createLogger({ destination }).child({ Authorization: 'Bearer child-s3cr3t', tenant: 'acme' });
  child.child({ session: { Cookie: 'grandchild-s3cr3t' } }).info({ Token: 'line-s3cr3t' }, 'from a child');
  const logged = await loggedAs(stdout, 'from a child');
  assertHidden(logged, ['child-s3cr3t', 'grandchild-s3cr3t', 'line-s3cr3t']);
  assert.ok(logged.line.includes('"tenant":"acme"') && logged.record.includes('"stringValue":"acme"'));
});

test('objects interpolated into the message are redacted too', async () => {
  const { stdout, destination } = capture();
  const log = createLogger({ destination });
  log.info('login %o', { user: 'ada', Password: 'fmt-s3cr3t' });
  log.info({ order: 1 }, 'call %j', { headers: { Authorization: 'fmt-hdr-s3cr3t' } });
  assertHidden(await loggedAs(stdout, 'login {"user":"ada","Password":"[Redacted]"}'), ['fmt-s3cr3t']);
  assertHidden(await loggedAs(stdout, 'call {"headers":{"Authorization":"[Redacted]"}}'), ['fmt-hdr-s3cr3t']);
});

test('deeper paths are not redacted unless listed in `redact`', async () => {
  const { stdout, destination } = capture();
  createLogger({ destination }).info({ a: { b: { password: 'deep-unlisted' } } }, 'deep, unlisted');
  createLogger({ destination, redact: ['a.b.password', 'err.config.headers.Authorization'] }).info(
    { a: { b: { password: 'deep-listed-s3cr3t' } }, err: { config: { headers: { Authorization: 'axios-s3cr3t' } } } },
    'deep, listed',
  );
  const unlisted = await loggedAs(stdout, 'deep, unlisted');
  for (const text of [unlisted.line, unlisted.record]) {
    assert.ok(text.includes('deep-unlisted'), `the README says so: two levels down is not covered: ${text}`);
  }
  assertHidden(await loggedAs(stdout, 'deep, listed'), ['deep-listed-s3cr3t', 'axios-s3cr3t']);
});

test('Errors, dates and arrays one level down keep their own serialisation', async () => {
  const { stdout, destination } = capture();
  const error = Object.assign(new Error('boom'), { code: 'E_BOOM' });
  const when = new Date(0);
  createLogger({ destination }).error({ err: error, at: { when, tags: ['a'] }, Password: 'pw-s3cr3t' }, 'failed');
  const logged = await loggedAs(stdout, 'failed');
  assertHidden(logged, ['pw-s3cr3t']);
  const line = JSON.parse(logged.line) as { err: { message: string; code: string; stack: string }; at: unknown };
  assert.equal(line.err.message, 'boom');
  assert.equal(line.err.code, 'E_BOOM');
  assert.match(line.err.stack, /Error: boom/);
  assert.deepEqual(line.at, { when: '1970-01-01T00:00:00.000Z', tags: ['a'] });
});
