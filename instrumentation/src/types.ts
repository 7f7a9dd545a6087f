import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Registry } from 'prom-client';

/** Options of `start()`. Each overrides the environment variable named in its doc. */
export interface StartOptions {
  /**
   * The service name on every span, log line and metric target.
   * @default process.env.OTEL_SERVICE_NAME
   */
  serviceName?: string;
  /**
   * Where spans go instead of OTLP/HTTP (tests pass an InMemorySpanExporter).
   * @default an OTLP/HTTP exporter to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
   */
  spanExporter?: SpanExporter;
  /**
   * The prom-client registry that receives the package's metrics.
   * @default a new registry in OpenMetrics format
   */
  registry?: Registry;
  /**
   * Consumer spans continue the producer's trace (`parent`) or link to it (`link`).
   * @default process.env.HOPSCOPE_AMQP_CONSUME_CONTEXT ?? 'parent'
   */
  consumeContext?: 'parent' | 'link';
  /**
   * Serve `/metrics` on a server of its own on this port (for services with no HTTP server).
   * @default process.env.HOPSCOPE_METRICS_PORT (unset: no metrics server)
   */
  metricsPort?: number;
  /**
   * The environment to read configuration from.
   * @default process.env
   */
  env?: Record<string, string | undefined>;
}
