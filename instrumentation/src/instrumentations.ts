import type { Span } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { ConsumeInfo } from '@opentelemetry/instrumentation-amqplib';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { createAmqplibInstrumentation } from './amqplib-link-baggage.ts';
import type { ConsumeContextMode } from './config.ts';
import { recordServerSpan } from './http-boundary.ts';
import { RabbitmqClientInstrumentation } from './rabbitmq-client-instrumentation.ts';
import { ATTR_MESSAGING_RABBITMQ_REDELIVERED } from './semconv.ts';

/** The libraries the package instruments, by the module name a user would recognise. */
export const INSTRUMENTED_MODULES = ['http', 'undici', 'express', 'amqplib', 'rabbitmq-client', 'pg', 'pino'] as const;

export interface InstrumentationOptions {
  consumeContext: ConsumeContextMode;
  /** Incoming requests to this path (the Prometheus scrape) make no spans. */
  metricsPath: string;
}

// Composed from the OpenTelemetry instrumentations; only rabbitmq-client, which has none, is ours.
// Registration order matters: rabbitmq-client and amqplib come after http so that their spans
// nest under the HTTP server span of the request that published.
export function createInstrumentations(options: InstrumentationOptions): Instrumentation[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) => request.url === options.metricsPath,
      // Called for both directions; only incoming requests are recorded (traceResponse() reads them).
      requestHook: recordServerSpan,
    }),
    new UndiciInstrumentation(),
    new ExpressInstrumentation(),
    createAmqplibInstrumentation({
      useLinksForConsume: options.consumeContext === 'link',
      consumeHook: (span: Span, info: ConsumeInfo) => {
        span.setAttribute(ATTR_MESSAGING_RABBITMQ_REDELIVERED, info.msg.fields.redelivered === true);
      },
    }),
    new RabbitmqClientInstrumentation({ consumeContext: options.consumeContext }),
    new PgInstrumentation({ requireParentSpan: true }),
    // Our own logger correlates and ships its lines; this adds trace_id/span_id to any other
    // pino logger the application creates, without sending its lines a second time.
    new PinoInstrumentation({ disableLogSending: true }),
  ];
}
