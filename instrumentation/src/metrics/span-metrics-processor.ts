import { type Attributes, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { scopesMeasuredAs } from '../instrumented-libraries.ts';
import { safely } from '../safely.ts';
import * as attr from '../semconv.ts';
import { isScrapeTrace } from './scrape-requests.ts';
import { exemplarOf } from './shared-metrics.ts';
import { CounterSeries, HistogramSeries } from './series.ts';
import type { TelemetryMetrics } from './telemetry-metrics.ts';

// The instrumentations whose spans are requests and messages, by the name of their tracer
// (instrumented-libraries.ts). An application's own span with the same kind and attributes (a
// wrapper around its HTTP client, say) is not a second request: counting it would add a
// phantom series, with no server address, as large as the real one.
const HTTP_SCOPES = scopesMeasuredAs('http');
const MESSAGING_SCOPES = scopesMeasuredAs('messaging');

// A label set per distinct combination of label values, kept while there are fewer than this
// many (a label fed unbounded values makes its series per call past it, and keeps none).
const MAX_SERIES = 2_000;

/**
 * The series of one metric by their label values, looked up level by level (a map per label)
 * rather than by a key joined from them: joining makes a new string per span, which the map
 * then has to hash in full, and that cost more than the observation itself.
 */
class SeriesByLabels<Series> {
  private readonly root = new Map<string, unknown>();
  private size = 0;

  get(values: readonly string[]): Series | undefined {
    let level: unknown = this.root;
    for (let i = 0; i < values.length && level !== undefined; i++)
      level = (level as Map<string, unknown>).get(values[i]);
    return level as Series | undefined;
  }

  keep(values: readonly string[], series: Series): Series {
    if (this.size >= MAX_SERIES) return series;
    let level = this.root;
    for (let i = 0; i < values.length - 1; i++) {
      let next = level.get(values[i]) as Map<string, unknown> | undefined;
      if (!next) level.set(values[i], (next = new Map()));
      level = next;
    }
    level.set(values[values.length - 1], series);
    this.size++;
    return series;
  }
}

/**
 * Records RED and messaging metrics from finished spans, so that metrics and traces come from
 * one measurement and the exemplar always names a span that exists. The sampler records every
 * span (sampled or not), so the metrics count all traffic; only sampled spans give exemplars.
 */
export class SpanMetricsProcessor implements SpanProcessor {
  private readonly metrics: TelemetryMetrics;
  private readonly httpServer = new SeriesByLabels<HistogramSeries>();
  private readonly httpClient = new SeriesByLabels<HistogramSeries>();
  private readonly messagesSent = new SeriesByLabels<CounterSeries>();
  private readonly messagesConsumed = new SeriesByLabels<{ consumed: CounterSeries; duration: HistogramSeries }>();

  constructor(metrics: TelemetryMetrics) {
    this.metrics = metrics;
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    // The SDK calls processors in turn without catching: a throw here (a span ended at an
    // invalid time has a NaN duration, which prom-client refuses) would reach the
    // application's span.end() and keep the span from the batch processor after this one.
    safely('span metrics', () => this.record(span));
  }

  private record(span: ReadableSpan): void {
    const kind = span.kind;
    if (kind === SpanKind.INTERNAL) return;
    const a = span.attributes;
    const scope = span.instrumentationScope.name;
    if (kind === SpanKind.SERVER || kind === SpanKind.CLIENT) {
      const method = a[attr.ATTR_HTTP_REQUEST_METHOD] ?? a[attr.OLD_ATTR_HTTP_METHOD];
      if (method === undefined || !HTTP_SCOPES.has(scope) || isScrape(span)) return;
      this.recordHttp(span, a, text(method));
    } else if (isMessagingSpan(a) && MESSAGING_SCOPES.has(scope) && !isScrape(span)) {
      this.recordMessaging(span, a);
    }
  }

  private recordHttp(span: ReadableSpan, a: Attributes, method: string): void {
    const status = text(a[attr.ATTR_HTTP_RESPONSE_STATUS_CODE] ?? a[attr.OLD_ATTR_HTTP_STATUS_CODE]);
    const error = errorType(span, a);
    let series: HistogramSeries;
    if (span.kind === SpanKind.SERVER) {
      const route = text(a[attr.ATTR_HTTP_ROUTE]);
      const key = [method, route, status, error];
      series =
        this.httpServer.get(key) ??
        this.httpServer.keep(
          key,
          new HistogramSeries(this.metrics.httpServerDuration, {
            http_request_method: method,
            http_response_status_code: status,
            error_type: error,
            http_route: route,
          }),
        );
    } else {
      const address = text(a[attr.ATTR_SERVER_ADDRESS] ?? a[attr.OLD_ATTR_NET_PEER_NAME]);
      const port = text(a[attr.ATTR_SERVER_PORT] ?? a[attr.OLD_ATTR_NET_PEER_PORT]);
      const key = [method, address, port, status, error];
      series =
        this.httpClient.get(key) ??
        this.httpClient.keep(
          key,
          new HistogramSeries(this.metrics.httpClientDuration, {
            http_request_method: method,
            http_response_status_code: status,
            error_type: error,
            server_address: address,
            server_port: port,
          }),
        );
    }
    series.observe(seconds(span), exemplarOf(span.spanContext()));
  }

  private recordMessaging(span: ReadableSpan, a: Attributes): void {
    // Labelled as the span says; without a system, `_OTHER` (the semantic conventions' value
    // for one not known), never a guess.
    const system = text(a[attr.ATTR_MESSAGING_SYSTEM]).toLowerCase() || '_OTHER';
    const destination = text(
      a[attr.ATTR_MESSAGING_DESTINATION_NAME] ??
        (a[attr.OLD_ATTR_MESSAGING_DESTINATION] || a[attr.OLD_ATTR_MESSAGING_RABBITMQ_ROUTING_KEY]),
    );
    const error = errorType(span, a);
    const key = [system, destination, error];
    const labels = (operation: string) => ({
      messaging_system: system,
      messaging_destination_name: destination,
      messaging_operation_name: operation,
      error_type: error,
    });
    if (span.kind === SpanKind.PRODUCER) {
      const sent =
        this.messagesSent.get(key) ??
        this.messagesSent.keep(key, new CounterSeries(this.metrics.messagesSent, labels('publish')));
      sent.inc();
      return;
    }
    let consumer = this.messagesConsumed.get(key);
    if (!consumer) {
      const processLabels = labels('process');
      consumer = this.messagesConsumed.keep(key, {
        consumed: new CounterSeries(this.metrics.messagesConsumed, processLabels),
        duration: new HistogramSeries(this.metrics.messageProcessDuration, processLabels),
      });
    }
    consumer.consumed.inc();
    consumer.duration.observe(seconds(span), exemplarOf(span.spanContext()));
    if (a[attr.ATTR_MESSAGING_RABBITMQ_REDELIVERED] === true) {
      this.metrics.messagesRedelivered.inc({ messaging_system: system, messaging_destination_name: destination });
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function isScrape(span: ReadableSpan): boolean {
  return isScrapeTrace(span.spanContext().traceId);
}

function isMessagingSpan(a: Attributes): boolean {
  return (
    a[attr.ATTR_MESSAGING_SYSTEM] !== undefined ||
    a[attr.ATTR_MESSAGING_DESTINATION_NAME] !== undefined ||
    a[attr.OLD_ATTR_MESSAGING_DESTINATION] !== undefined
  );
}

function seconds(span: ReadableSpan): number {
  return span.duration[0] + span.duration[1] / 1e9;
}

function errorType(span: ReadableSpan, a: Attributes): string {
  const type = a[attr.ATTR_ERROR_TYPE];
  if (type !== undefined) return text(type);
  return span.status.code === SpanStatusCode.ERROR ? '_OTHER' : '';
}

/** An attribute value as a label value (attributes read here are strings or numbers). */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return typeof value === 'object' ? JSON.stringify(value) : `${value as number | boolean}`;
}
