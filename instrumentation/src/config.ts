// The one module that reads process.env. Standard OTEL_* names wherever OpenTelemetry has
// one; HOPSCOPE_* only for what it has not. Each reader records a problem that names the
// variable instead of throwing, so that a typo in telemetry settings turns telemetry off
// and never stops the application from starting.

export type ConsumeContextMode = 'parent' | 'link';
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

/** Where and how one signal is exported (see otlp-exporters.ts). */
export interface OtlpTarget {
  /** An OTLP/HTTP URL, or for grpc the collector's address. */
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  timeoutMillis: number;
}

/** Options of the SDK's batch processors (OTEL_BSP_* for spans, OTEL_BLRP_* for logs). */
export interface BatchConfig {
  scheduledDelayMillis: number;
  maxQueueSize: number;
  maxExportBatchSize: number;
  exportTimeoutMillis: number;
}

export interface TelemetryConfig {
  disabled: boolean;
  serviceName: string;
  /** Where spans go (grpc: the collector's address), or undefined when OTEL_TRACES_EXPORTER=none. */
  tracesUrl: string | undefined;
  tracesProtocol: OtlpProtocol;
  /** Where log records go (grpc: the collector's address), or undefined when OTEL_LOGS_EXPORTER=none. */
  logsUrl: string | undefined;
  logsProtocol: OtlpProtocol;
  otlpHeaders: Record<string, string>;
  /** OTEL_EXPORTER_OTLP_TIMEOUT: how long one export request may take. */
  exportTimeoutMillis: number;
  spanBatch: BatchConfig;
  logBatch: BatchConfig;
  sampler: SamplerName;
  samplerRatio: number;
  consumeContext: ConsumeContextMode;
  metricsPort: number | undefined;
  metricsHost: string;
  logLevel: string;
  lokiUrl: string | undefined;
  diagLogLevel: string | undefined;
  /** Baggage keys copied onto every span as attributes (HOPSCOPE_BAGGAGE_SPAN_ATTRIBUTES). */
  baggageSpanAttributes: string[];
  /** HOPSCOPE_CAPTURE_CONSOLE: console.* lines are also shipped as OTLP log records. */
  captureConsole: boolean;
  /** HOPSCOPE_EXPRESS_LAYER_SPANS: an INTERNAL span per express middleware, router and handler. */
  expressLayerSpans: boolean;
}

export interface ConfigResult {
  config: TelemetryConfig;
  /** Each names the variable and the value it could not use. Non-empty: telemetry is off. */
  problems: string[];
}

const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
// The spec's default protocol comes first.
const OTLP_PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

type Env = Record<string, string | undefined>;

export function readConfig(env: Env = process.env): ConfigResult {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = text(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name}=${quote(value)} is not one of ${allowed.join(', ')}`);
    return fallback;
  };
  const url = (name: string): string | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return value;
    } catch {
      // reported below
    }
    problems.push(`${name}=${quote(value)} is not an http(s) URL`);
    return undefined;
  };
  const port = (name: string): number | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (/^\d+$/.test(value) && parsed <= 65535) return parsed;
    problems.push(`${name}=${quote(value)} is not a port number (0-65535)`);
    return undefined;
  };

  const count = (name: string, fallback: number): number => {
    const value = text(name);
    if (value === undefined) return fallback;
    if (/^\d+$/.test(value) && Number(value) > 0) return Number(value);
    problems.push(`${name}=${quote(value)} is not a positive whole number`);
    return fallback;
  };
  const batch = (prefix: 'OTEL_BSP' | 'OTEL_BLRP', delay: number): BatchConfig => ({
    scheduledDelayMillis: count(`${prefix}_SCHEDULE_DELAY`, delay),
    maxQueueSize: count(`${prefix}_MAX_QUEUE_SIZE`, 2048),
    maxExportBatchSize: count(`${prefix}_MAX_EXPORT_BATCH_SIZE`, 512),
    exportTimeoutMillis: count(`${prefix}_EXPORT_TIMEOUT`, 30_000),
  });

  const sampler = oneOf('OTEL_TRACES_SAMPLER', SAMPLERS, 'parentbased_always_on');
  const samplerRatio = readRatio(text('OTEL_TRACES_SAMPLER_ARG'), sampler, problems);
  const base = url('OTEL_EXPORTER_OTLP_ENDPOINT');
  const tracesExporter = oneOf('OTEL_TRACES_EXPORTER', ['otlp', 'none'], 'otlp');
  const logsExporter = oneOf('OTEL_LOGS_EXPORTER', ['otlp', 'none'], 'otlp');
  const protocol = oneOf('OTEL_EXPORTER_OTLP_PROTOCOL', OTLP_PROTOCOLS, 'http/protobuf');
  const tracesProtocol = oneOf('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', OTLP_PROTOCOLS, protocol);
  const logsProtocol = oneOf('OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', OTLP_PROTOCOLS, protocol);
  const tracesUrl = url('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? signalUrl(base, tracesProtocol, 'traces');
  const logsUrl = url('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT') ?? signalUrl(base, logsProtocol, 'logs');
  const propagators = text('OTEL_PROPAGATORS');
  if (propagators !== undefined) {
    const unsupported = propagators
      .split(',')
      .map((p) => p.trim())
      .filter((p) => !['tracecontext', 'baggage', 'none'].includes(p));
    if (unsupported.length > 0) {
      problems.push(`OTEL_PROPAGATORS=${quote(propagators)}: only tracecontext and baggage are supported`);
    }
  }

  const config: TelemetryConfig = {
    disabled: oneOf('OTEL_SDK_DISABLED', ['true', 'false'], 'false') === 'true',
    serviceName:
      text('OTEL_SERVICE_NAME') ?? serviceNameFromResource(text('OTEL_RESOURCE_ATTRIBUTES')) ?? 'unknown_service:node',
    tracesUrl: tracesExporter === 'none' ? undefined : tracesUrl,
    tracesProtocol,
    logsUrl: logsExporter === 'none' ? undefined : logsUrl,
    logsProtocol,
    otlpHeaders: readHeaders(text('OTEL_EXPORTER_OTLP_HEADERS'), problems),
    exportTimeoutMillis: count('OTEL_EXPORTER_OTLP_TIMEOUT', 10_000),
    // The spec's defaults: 5 s between span batches, 1 s between log batches.
    spanBatch: batch('OTEL_BSP', 5000),
    logBatch: batch('OTEL_BLRP', 1000),
    sampler,
    samplerRatio,
    consumeContext: oneOf('HOPSCOPE_AMQP_CONSUME_CONTEXT', ['parent', 'link'] as const, 'parent'),
    metricsPort: port('HOPSCOPE_METRICS_PORT'),
    metricsHost: text('HOPSCOPE_METRICS_HOST') ?? '0.0.0.0',
    logLevel: oneOf('HOPSCOPE_LOG_LEVEL', LOG_LEVELS, 'info'),
    lokiUrl: url('HOPSCOPE_LOKI_URL'),
    diagLogLevel: text('OTEL_LOG_LEVEL'),
    baggageSpanAttributes: readBaggageKeys(text('HOPSCOPE_BAGGAGE_SPAN_ATTRIBUTES'), problems),
    captureConsole: oneOf('HOPSCOPE_CAPTURE_CONSOLE', ['true', 'false'], 'false') === 'true',
    expressLayerSpans: oneOf('HOPSCOPE_EXPRESS_LAYER_SPANS', ['true', 'false'], 'false') === 'true',
  };
  return { config, problems };
}

/** What `start()` may override; see StartOptions for each option's variable. */
export interface ConfigOptions {
  serviceName?: string;
  consumeContext?: ConsumeContextMode;
  metricsPort?: number;
  env?: Env;
}

/**
 * The configuration `start()` runs with: an option passed in code wins over its environment
 * variable, which wins over the default. A bad option is a problem like a bad variable.
 */
export function resolveConfig(options: ConfigOptions = {}): ConfigResult {
  const { config, problems } = readConfig(options.env ?? process.env);
  const { serviceName, consumeContext, metricsPort } = options;
  if (serviceName !== undefined) {
    if (typeof serviceName === 'string' && serviceName.trim() !== '') config.serviceName = serviceName.trim();
    else problems.push(`start({ serviceName: ${quote(String(serviceName))} }) is not a non-empty string`);
  }
  if (consumeContext !== undefined) {
    if (consumeContext === 'parent' || consumeContext === 'link') config.consumeContext = consumeContext;
    else problems.push(`start({ consumeContext: ${quote(String(consumeContext))} }) is not one of parent, link`);
  }
  if (metricsPort !== undefined) {
    if (Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65535) config.metricsPort = metricsPort;
    else problems.push(`start({ metricsPort: ${quote(String(metricsPort))} }) is not a port number (0-65535)`);
  }
  return { config, problems };
}

/** The exporter settings of one signal, or undefined when that signal is not exported. */
export function otlpTarget(config: TelemetryConfig, signal: 'traces' | 'logs'): OtlpTarget | undefined {
  const url = signal === 'traces' ? config.tracesUrl : config.logsUrl;
  if (url === undefined) return undefined;
  const protocol = signal === 'traces' ? config.tracesProtocol : config.logsProtocol;
  return { url, protocol, headers: config.otlpHeaders, timeoutMillis: config.exportTimeoutMillis };
}

/** For the startup line: where a signal goes and how, or 'none'. */
export function describeTarget(target: OtlpTarget | undefined): string {
  return target ? `${target.url} (${target.protocol})` : 'none';
}

// A baggage key is a W3C token; a short list, since every span pays for each key.
const BAGGAGE_KEY = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
const MAX_BAGGAGE_SPAN_ATTRIBUTES = 16;

function readBaggageKeys(value: string | undefined, problems: string[]): string[] {
  if (value === undefined) return [];
  const keys = value
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const bad = keys.filter((k) => !BAGGAGE_KEY.test(k));
  if (bad.length > 0 || keys.length > MAX_BAGGAGE_SPAN_ATTRIBUTES) {
    problems.push(
      `HOPSCOPE_BAGGAGE_SPAN_ATTRIBUTES=${quote(value)}: at most ${MAX_BAGGAGE_SPAN_ATTRIBUTES} comma-separated baggage keys` +
        (bad.length > 0 ? `; not a baggage key: ${bad.map(quote).join(', ')}` : ''),
    );
    return [];
  }
  return keys;
}

/**
 * A signal's endpoint when only OTEL_EXPORTER_OTLP_ENDPOINT (or nothing) is set, per the OTLP
 * exporter spec: over HTTP the base gets the signal's path appended; gRPC takes it as it is.
 */
function signalUrl(base: string | undefined, protocol: OtlpProtocol, signal: 'traces' | 'logs'): string {
  if (protocol === 'grpc') return base ?? 'http://localhost:4317';
  return `${(base ?? 'http://localhost:4318').replace(/\/+$/, '')}/v1/${signal}`;
}

function readRatio(value: string | undefined, sampler: SamplerName, problems: string[]): number {
  if (value === undefined || !sampler.endsWith('traceidratio')) return 1;
  const ratio = Number(value);
  if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) return ratio;
  problems.push(`OTEL_TRACES_SAMPLER_ARG=${quote(value)} is not a ratio between 0 and 1`);
  return 1;
}

function readHeaders(value: string | undefined, problems: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  if (value === undefined) return headers;
  for (const pair of value.split(',')) {
    const at = pair.indexOf('=');
    const key = pair.slice(0, at).trim();
    if (at <= 0 || key === '') {
      problems.push(`OTEL_EXPORTER_OTLP_HEADERS has an entry without key=value: ${quote(pair)}`);
      continue;
    }
    try {
      headers[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      problems.push(`OTEL_EXPORTER_OTLP_HEADERS has a badly percent-encoded value for ${quote(key)}`);
    }
  }
  return headers;
}

function serviceNameFromResource(value: string | undefined): string | undefined {
  const entry = value?.split(',').find((pair) => pair.trim().startsWith('service.name='));
  return entry?.split('=')[1]?.trim() || undefined;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}
