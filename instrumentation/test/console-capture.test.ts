// The console capture (HOPSCOPE_CAPTURE_CONSOLE=true) on a Console of its own, with the SDK's
// in-memory log exporter: what the console prints is unchanged, each line becomes one record
// with its method's severity and the caller's trace context, and nothing in the capture can
// break a console call or feed itself.
import { type Logger, ROOT_CONTEXT, SeverityNumber, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { suppressTracing } from '@opentelemetry/core';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import assert from 'node:assert/strict';
import { Console } from 'node:console';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { captureConsole } from '../src/logs/console-capture.ts';
import { readConfig } from '../src/config.ts';

context.setGlobalContextManager(new AsyncLocalStorageContextManager());

/** A Console writing into buffers, as Node's global one writes to stdout/stderr. */
function bufferedConsole() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const output = { stdout: '', stderr: '' };
  stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  return { console: new Console({ stdout, stderr }), output };
}

function inMemoryLogger() {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  return { logger: provider.getLogger('test'), exporter };
}

function writeEveryMethod(target: Console): void {
  target.log('log %s has %d items', 'cart', 3, { nested: { list: [1, 2] } });
  target.info('info', 'two', 'args');
  target.warn('warn %o', { id: 7 });
  target.error('error', new Error('boom').message);
  target.debug('debug');
}

test('what the console prints is the same as without the capture', () => {
  const plain = bufferedConsole();
  writeEveryMethod(plain.console);
  const captured = bufferedConsole();
  captureConsole(inMemoryLogger().logger, captured.console);
  writeEveryMethod(captured.console);
  assert.deepEqual(captured.output, plain.output);
});

test('each console line is one record with its method severity and the caller trace context', () => {
  const { logger, exporter } = inMemoryLogger();
  const { console: target } = bufferedConsole();
  captureConsole(logger, target);
  const spanContext = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 };
  context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), () => writeEveryMethod(target));

  const records = exporter.getFinishedLogRecords();
  assert.deepEqual(
    records.map((r) => [r.severityText, r.severityNumber, r.body, r.attributes['log.iostream']]),
    [
      ['log', SeverityNumber.INFO, 'log cart has 3 items { nested: { list: [ 1, 2 ] } }', 'stdout'],
      ['info', SeverityNumber.INFO, 'info two args', 'stdout'],
      ['warn', SeverityNumber.WARN, 'warn { id: 7 }', 'stderr'],
      ['error', SeverityNumber.ERROR, 'error boom', 'stderr'],
      ['debug', SeverityNumber.DEBUG, 'debug', 'stdout'],
    ],
  );
  for (const record of records) {
    assert.equal(record.spanContext?.traceId, spanContext.traceId);
    assert.equal(record.spanContext?.spanId, spanContext.spanId);
  }
});

test('a capture that throws never breaks the console call', () => {
  const throwing: Logger = {
    emit() {
      throw new Error('exporter exploded');
    },
    enabled: () => true,
  };
  const { console: target, output } = bufferedConsole();
  captureConsole(throwing, target);
  assert.doesNotThrow(() => target.log('still printed'));
  assert.equal(output.stdout, 'still printed\n');
});

test('a console line written while a record is made is printed but not captured again', () => {
  const { logger, exporter } = inMemoryLogger();
  const { console: target, output } = bufferedConsole();
  const logging: Logger = {
    emit(record) {
      target.warn('the SDK complains'); // as an SDK or a processor may, inside emit
      logger.emit(record);
    },
    enabled: () => true,
  };
  captureConsole(logging, target);
  target.log('one line');
  assert.equal(output.stdout, 'one line\n');
  assert.equal(output.stderr, 'the SDK complains\n');
  assert.deepEqual(
    exporter.getFinishedLogRecords().map((r) => r.body),
    ['one line'],
  );
});

test("console lines written during the SDK's export work are printed but not captured", () => {
  const { logger, exporter } = inMemoryLogger();
  const { console: target, output } = bufferedConsole();
  captureConsole(logger, target);
  // The SDK's processors export with tracing suppressed, as they do for their own HTTP calls.
  context.with(suppressTracing(context.active()), () => target.error('exporter retrying'));
  assert.equal(output.stderr, 'exporter retrying\n');
  assert.deepEqual(exporter.getFinishedLogRecords(), []);
});

test('releasing the capture puts the console methods back', () => {
  const { console: target } = bufferedConsole();
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = methods.map((method) => Reflect.get(target, method) as unknown);
  const release = captureConsole(inMemoryLogger().logger, target);
  assert.notEqual(Reflect.get(target, 'log'), originals[0]);
  release();
  assert.deepEqual(
    methods.map((method) => Reflect.get(target, method) as unknown),
    originals,
  );
});

test('HOPSCOPE_CAPTURE_CONSOLE is off unless true; another value is a named problem', () => {
  assert.equal(readConfig({}).config.captureConsole, false);
  assert.equal(readConfig({ HOPSCOPE_CAPTURE_CONSOLE: 'TRUE' }).config.captureConsole, true);
  assert.deepEqual(readConfig({ HOPSCOPE_CAPTURE_CONSOLE: 'yes' }).problems, [
    'HOPSCOPE_CAPTURE_CONSOLE="yes" is not one of true, false',
  ]);
});
