import { type Attributes, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { scopesMeasuredAs } from '../instrumented-libraries.ts';
import { safely } from '../safely.ts';
import * as attr from '../semconv.ts';
import { isScrapeTrace } from './scrape-requests.ts';
import { observeDuration } from './shared-metrics.ts';
import type { TelemetryMetrics } from './telemetry-metrics.ts';

// The instrumentations whose spans are requests and messages, by the name of their tracer
// (instrumented-libraries.ts). An application's own span with the same kind and attributes (a
// wrapper around its HTTP client, say) is not a second request: counting it would add a
// phantom series, with no server address, as large as the real one.
const HTTP_SCOPES = scopesMeasuredAs('http');
const MESSAGING_SCOPES = scopesMeasuredAs('messaging');

/**
 * Records RED and messaging metrics from finished spans, so that metrics and traces come from
 * one measurement and the exemplar always names a span that exists. The sampler records every
 * span (sampled or not), so the metrics count all traffic; only sampled spans give exemplars.
 */
export class SpanMetricsProcessor implements SpanProcessor {
  private readonly metrics: TelemetryMetrics;

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
    if (isScrapeTrace(span.spanContext().traceId)) return;
    const a = span.attributes;
    const scope = span.instrumentationScope.name;
    if (span.kind === SpanKind.SERVER || span.kind === SpanKind.CLIENT) {
      const method = a[attr.ATTR_HTTP_REQUEST_METHOD] ?? a[attr.OLD_ATTR_HTTP_METHOD];
      if (method !== undefined && HTTP_SCOPES.has(scope)) this.recordHttp(span, a, text(method));
    } else if (span.kind === SpanKind.PRODUCER || span.kind === SpanKind.CONSUMER) {
      if (isMessagingSpan(a) && MESSAGING_SCOPES.has(scope)) this.recordMessaging(span, a);
    }
  }

  private recordHttp(span: ReadableSpan, a: Attributes, method: string): void {
    const status = a[attr.ATTR_HTTP_RESPONSE_STATUS_CODE] ?? a[attr.OLD_ATTR_HTTP_STATUS_CODE];
    const labels: Record<string, string> = {
      http_request_method: method,
      http_response_status_code: text(status),
      error_type: errorType(span, a),
    };
    if (span.kind === SpanKind.SERVER) {
      labels['http_route'] = text(a[attr.ATTR_HTTP_ROUTE]);
      observe(this.metrics.httpServerDuration, labels, span);
    } else {
      labels['server_address'] = text(a[attr.ATTR_SERVER_ADDRESS] ?? a[attr.OLD_ATTR_NET_PEER_NAME]);
      labels['server_port'] = text(a[attr.ATTR_SERVER_PORT] ?? a[attr.OLD_ATTR_NET_PEER_PORT]);
      observe(this.metrics.httpClientDuration, labels, span);
    }
  }

  private recordMessaging(span: ReadableSpan, a: Attributes): void {
    // Labelled as the span says; without a system, `_OTHER` (the semantic conventions' value
    // for one not known), never a guess.
    const system = text(a[attr.ATTR_MESSAGING_SYSTEM]).toLowerCase() || '_OTHER';
    const destination = text(
      a[attr.ATTR_MESSAGING_DESTINATION_NAME] ??
        (a[attr.OLD_ATTR_MESSAGING_DESTINATION] || a[attr.OLD_ATTR_MESSAGING_RABBITMQ_ROUTING_KEY]),
    );
    const labels = {
      messaging_system: system,
      messaging_destination_name: destination,
      messaging_operation_name: span.kind === SpanKind.PRODUCER ? 'publish' : 'process',
      error_type: errorType(span, a),
    };
    if (span.kind === SpanKind.PRODUCER) {
      this.metrics.messagesSent.inc(labels);
      return;
    }
    this.metrics.messagesConsumed.inc(labels);
    observe(this.metrics.messageProcessDuration, labels, span);
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

function isMessagingSpan(a: Attributes): boolean {
  return (
    a[attr.ATTR_MESSAGING_SYSTEM] !== undefined ||
    a[attr.ATTR_MESSAGING_DESTINATION_NAME] !== undefined ||
    a[attr.OLD_ATTR_MESSAGING_DESTINATION] !== undefined
  );
}

function observe(
  histogram: TelemetryMetrics['httpServerDuration'],
  labels: Record<string, string>,
  span: ReadableSpan,
): void {
  observeDuration(histogram, labels, hrTimeToMilliseconds(span.duration) / 1000, span.spanContext());
}

function errorType(span: ReadableSpan, a: Attributes): string {
  const type = a[attr.ATTR_ERROR_TYPE];
  if (type !== undefined) return text(type);
  return span.status.code === SpanStatusCode.ERROR ? '_OTHER' : '';
}

/** An attribute value as a label value (attributes read here are strings or numbers). */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : `${value as string | number | boolean}`;
}
