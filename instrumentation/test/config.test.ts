import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type TelemetryConfig, readConfig, resolveConfig } from '../src/config.ts';

test('defaults follow the OpenTelemetry spec', () => {
  const { config, problems } = readConfig({});
  assert.deepEqual(problems, []);
  assert.equal(config.tracesUrl, 'http://localhost:4318/v1/traces');
  assert.equal(config.logsUrl, 'http://localhost:4318/v1/logs');
  assert.equal(config.sampler, 'parentbased_always_on');
  assert.equal(config.consumeContext, 'parent');
  assert.equal(config.metricsPort, undefined);
  assert.equal(config.spanBatch.scheduledDelayMillis, 5000);
});

test('standard OTEL_* variables are read', () => {
  const { config, problems } = readConfig({
    OTEL_SERVICE_NAME: 'orders',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
    OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://loki:3100/otlp/v1/logs',
    OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-tenant=acme',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.25',
    OTEL_BSP_MAX_QUEUE_SIZE: '100',
  });
  assert.deepEqual(problems, []);
  assert.equal(config.serviceName, 'orders');
  assert.equal(config.tracesUrl, 'http://collector:4318/v1/traces');
  assert.equal(config.logsUrl, 'http://loki:3100/otlp/v1/logs');
  assert.deepEqual(config.otlpHeaders, { authorization: 'Bearer abc', 'x-tenant': 'acme' });
  assert.equal(config.samplerRatio, 0.25);
  assert.equal(config.spanBatch.maxQueueSize, 100);
});

test('the service name falls back to OTEL_RESOURCE_ATTRIBUTES', () => {
  assert.equal(readConfig({ OTEL_RESOURCE_ATTRIBUTES: 'team=a,service.name=billing' }).config.serviceName, 'billing');
});

test('each bad value is a problem that names the variable and the value', () => {
  const { problems } = readConfig({
    OTEL_TRACES_SAMPLER: 'sometimes',
    OTEL_TRACES_SAMPLER_ARG: '2',
    HOPSCOPE_METRICS_PORT: 'ninety',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
    OTEL_BSP_SCHEDULE_DELAY: '-5',
    HOPSCOPE_AMQP_CONSUME_CONTEXT: 'sideways',
    OTEL_PROPAGATORS: 'b3',
    HOPSCOPE_BAGGAGE_SPAN_ATTRIBUTES: 'synthetic,bad key',
  });
  const expected = [
    /OTEL_TRACES_SAMPLER="sometimes" is not one of always_on, /,
    /HOPSCOPE_METRICS_PORT="ninety" is not a port number/,
    /OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318" is not an http\(s\) URL/,
    /OTEL_BSP_SCHEDULE_DELAY="-5" is not a positive whole number/,
    /HOPSCOPE_AMQP_CONSUME_CONTEXT="sideways"/,
    /OTEL_PROPAGATORS="b3"/,
    /HOPSCOPE_BAGGAGE_SPAN_ATTRIBUTES="synthetic,bad key": .*not a baggage key: "bad key"/,
  ];
  for (const pattern of expected) {
    assert.ok(
      problems.some((p) => pattern.test(p)),
      `${pattern} in ${JSON.stringify(problems)}`,
    );
  }
});

test('a ratio is checked only for ratio samplers', () => {
  assert.deepEqual(readConfig({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' }).problems, [
    'OTEL_TRACES_SAMPLER_ARG="1.5" is not a ratio between 0 and 1',
  ]);
  assert.deepEqual(readConfig({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: 'x' }).problems, []);
});

test('express layer spans are off unless HOPSCOPE_EXPRESS_LAYER_SPANS=true; another value is a named problem', () => {
  assert.equal(readConfig({}).config.expressLayerSpans, false);
  assert.equal(readConfig({ HOPSCOPE_EXPRESS_LAYER_SPANS: 'true' }).config.expressLayerSpans, true);
  assert.equal(readConfig({ HOPSCOPE_EXPRESS_LAYER_SPANS: 'false' }).config.expressLayerSpans, false);
  assert.deepEqual(readConfig({ HOPSCOPE_EXPRESS_LAYER_SPANS: 'on' }).problems, [
    'HOPSCOPE_EXPRESS_LAYER_SPANS="on" is not one of true, false',
  ]);
});

test('an option passed to start() wins over its environment variable, which wins over the default', () => {
  const env = { OTEL_SERVICE_NAME: 'from-env', HOPSCOPE_AMQP_CONSUME_CONTEXT: 'link', HOPSCOPE_METRICS_PORT: '9464' };
  assert.deepEqual(pick(resolveConfig({ env }).config), {
    serviceName: 'from-env',
    consumeContext: 'link',
    metricsPort: 9464,
  });
  const { config, problems } = resolveConfig({
    env,
    serviceName: 'from-code',
    consumeContext: 'parent',
    metricsPort: 0,
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(pick(config), { serviceName: 'from-code', consumeContext: 'parent', metricsPort: 0 });
  assert.deepEqual(pick(resolveConfig({ env: {} }).config), {
    serviceName: 'unknown_service:node',
    consumeContext: 'parent',
    metricsPort: undefined,
  });
});

test('a bad option passed to start() is named like a bad variable', () => {
  const { problems } = resolveConfig({
    env: {},
    serviceName: ' ',
    consumeContext: 'both' as 'link',
    metricsPort: 70000,
  });
  assert.deepEqual(problems, [
    'start({ serviceName: " " }) is not a non-empty string',
    'start({ consumeContext: "both" }) is not one of parent, link',
    'start({ metricsPort: "70000" }) is not a port number (0-65535)',
  ]);
});

function pick(config: TelemetryConfig) {
  const { serviceName, consumeContext, metricsPort } = config;
  return { serviceName, consumeContext, metricsPort };
}
