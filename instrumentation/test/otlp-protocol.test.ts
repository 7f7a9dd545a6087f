// OTEL_EXPORTER_OTLP_PROTOCOL and its per-signal overrides, as the OTLP exporter spec defines
// them: http/protobuf by default, http/json and grpc on request, each with its own default
// endpoint (grpc: no /v1/<signal> path). What a collector receives is checked over the wire
// here for the HTTP encodings; grpc against the real collector in test/stack/otlp-grpc.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig } from '../src/config.ts';
import { OtlpReceiver } from './helpers/otlp-receiver.ts';
import { deleteQueues, uniqueQueue } from './helpers/queues.ts';
import { ServiceProcess } from './helpers/service-process.ts';

test('the default protocol is http/protobuf, to localhost:4318 with the signal path', () => {
  const { config, problems } = readConfig({});
  assert.deepEqual(problems, []);
  assert.deepEqual(
    [config.tracesProtocol, config.tracesUrl, config.logsProtocol, config.logsUrl],
    ['http/protobuf', 'http://localhost:4318/v1/traces', 'http/protobuf', 'http://localhost:4318/v1/logs'],
  );
});

test('grpc defaults to localhost:4317 and uses OTEL_EXPORTER_OTLP_ENDPOINT as it is, without a path', () => {
  const byDefault = readConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).config;
  assert.deepEqual(
    [byDefault.tracesProtocol, byDefault.tracesUrl, byDefault.logsProtocol, byDefault.logsUrl],
    ['grpc', 'http://localhost:4317', 'grpc', 'http://localhost:4317'],
  );
  const { config, problems } = readConfig({
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317',
    OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'https://logs.example:443',
  });
  assert.deepEqual(problems, []);
  assert.equal(config.tracesUrl, 'http://collector:4317');
  assert.equal(config.logsUrl, 'https://logs.example:443');
});

test('http/json sends to the same URLs as http/protobuf', () => {
  const { config, problems } = readConfig({
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(
    [config.tracesProtocol, config.tracesUrl, config.logsUrl],
    ['http/json', 'http://collector:4318/v1/traces', 'http://collector:4318/v1/logs'],
  );
});

test('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL and _LOGS_PROTOCOL override the general one, endpoint defaults included', () => {
  const { config, problems } = readConfig({
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/protobuf',
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(
    [config.tracesProtocol, config.tracesUrl, config.logsProtocol, config.logsUrl],
    ['grpc', 'http://localhost:4317', 'http/protobuf', 'http://localhost:4318/v1/logs'],
  );
});

test('an unknown protocol is a problem naming the variable, so telemetry is off', () => {
  const { problems } = readConfig({
    OTEL_EXPORTER_OTLP_PROTOCOL: 'bogus',
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/xml',
  });
  assert.deepEqual(problems, [
    'OTEL_EXPORTER_OTLP_PROTOCOL="bogus" is not one of http/protobuf, http/json, grpc',
    'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL="http/xml" is not one of http/protobuf, http/json, grpc',
  ]);
});

for (const [protocol, contentType] of [
  [undefined, 'application/x-protobuf'],
  ['http/json', 'application/json'],
] as const) {
  test(`a service with OTEL_EXPORTER_OTLP_PROTOCOL=${protocol ?? '(unset)'} exports traces and logs as ${contentType}`, async (t) => {
    const receiver = new OtlpReceiver();
    const otlp = await receiver.listen();
    const queue = uniqueQueue('otlp-protocol');
    const api = new ServiceProcess('order-api.mjs', {
      OTEL_SERVICE_NAME: 'order-api',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      ORDER_QUEUE: queue,
    });
    t.after(async () => {
      await api.stop();
      await receiver.close();
      await deleteQueues(queue);
    });
    const baseUrl = `http://127.0.0.1:${String((await api.waitForLine('listening'))['port'])}`;
    assert.equal((await fetch(`${baseUrl}/orders`, { method: 'POST' })).status, 202);
    const paths = () => new Set(receiver.exports.map((e) => e.path));
    await receiver.waitFor('a traces and a logs export', () => paths().has('/v1/traces') && paths().has('/v1/logs'));
    assert.deepEqual(
      [...new Set(receiver.exports.map((e) => e.contentType))],
      [contentType],
      JSON.stringify(receiver.exports),
    );
    const startup = JSON.parse(api.stderr.find((line) => line.includes('hopscope telemetry')) ?? '{}') as Record<
      string,
      unknown
    >;
    const named = protocol ?? 'http/protobuf';
    assert.deepEqual(
      [startup['traces'], startup['logs']],
      [`${otlp}/v1/traces (${named})`, `${otlp}/v1/logs (${named})`],
      'the startup line says where and how',
    );
  });
}
