import type { Span } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { ConsumeInfo } from '@opentelemetry/instrumentation-amqplib';
import type * as Bunyan from '@opentelemetry/instrumentation-bunyan';
import type * as Express from '@opentelemetry/instrumentation-express';
import type * as Pg from '@opentelemetry/instrumentation-pg';
import type * as Pino from '@opentelemetry/instrumentation-pino';
import type * as Winston from '@opentelemetry/instrumentation-winston';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { createAmqplibInstrumentation } from './amqplib-link-baggage.ts';
import type { ConsumeContextMode } from './config.ts';
import { ExpressRouteInstrumentation } from './express-route-instrumentation.ts';
import { HttpServerInstrumentation } from './http-server-instrumentation.ts';
import { importNow } from './import-now.ts';
import { RabbitmqClientInstrumentation } from './rabbitmq-client-instrumentation.ts';
import { setPrimitiveAttribute } from './sdk-span-attributes.ts';
import { ATTR_MESSAGING_RABBITMQ_REDELIVERED } from './semconv.ts';

// The one table of the libraries the package instruments. The instrumentation list, the
// startup self-check, the span-metrics processor's scopes and the README's table
// (test/instrumented-libraries.test.ts) are all derived from it: adding a library is adding a row.

export interface InstrumentationOptions {
  consumeContext: ConsumeContextMode;
  expressLayerSpans: boolean;
}

/**
 * How the instrumentation reaches the library, which decides what "loaded before start" means
 * and which version is reported when it is patched:
 * - `package`: an npm package patched when it is loaded (require or import) after start; loaded
 *   before, the application holds its unpatched functions. Reported with the package's version.
 * - `node-core`: a Node.js built-in module patched in place; reported with Node's version.
 * - `diagnostics-channel`: no patching, the instrumentation listens to the library's diagnostics
 *   channels; reported at its first request, with the version of the undici bundled in Node.
 */
export type InstrumentationMechanism = 'package' | 'node-core' | 'diagnostics-channel';

export interface InstrumentedLibrary {
  /** The module name a user requires or imports. */
  module: string;
  mechanism: InstrumentationMechanism;
  /**
   * The modules its instrumentation hooks (test/instrumented-libraries.test.ts checks them). A
   * `package` library's instrumentation is created when the first of them is resolved.
   */
  hooks: readonly string[];
  /** The instrumentation's tracer name: the instrumentation scope of the spans it makes. */
  scope: string;
  /** Its spans are requests or messages, measured as RED or messaging metrics. */
  metrics?: 'http' | 'messaging';
  /** What a user gets (the README's table). */
  gives: string;
  /** Where the instrumentation comes from (the README's table). */
  from: string;
  create: (options: InstrumentationOptions) => Instrumentation;
}

// Registration order matters: rabbitmq-client and amqplib come after http so that their spans
// nest under the HTTP server span of the request that published.
export const INSTRUMENTED_LIBRARIES: readonly InstrumentedLibrary[] = [
  {
    module: 'http',
    mechanism: 'node-core',
    hooks: ['http', 'https'],
    scope: '@hopscope/instrumentation-http-server',
    metrics: 'http',
    gives: 'SERVER spans (stable HTTP conventions), W3C `traceparent` + `baggage` in',
    // instrumentation-http's server side costs about twice as much per request.
    from: 'ours: `HttpServerInstrumentation`',
    create: (options) => new HttpServerInstrumentation({ expressLayerSpans: options.expressLayerSpans }),
  },
  {
    module: 'http',
    mechanism: 'node-core',
    hooks: ['http', 'https'],
    scope: '@opentelemetry/instrumentation-http',
    metrics: 'http',
    gives: 'CLIENT spans, W3C `traceparent` + `baggage` out',
    from: '`@opentelemetry/instrumentation-http`',
    create: () => new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }),
  },
  {
    module: 'undici',
    mechanism: 'diagnostics-channel',
    hooks: [],
    scope: '@opentelemetry/instrumentation-undici',
    metrics: 'http',
    gives: 'CLIENT spans of `fetch` (and of the undici package), W3C headers out',
    from: '`@opentelemetry/instrumentation-undici`',
    create: () => new UndiciInstrumentation(),
  },
  {
    module: 'express',
    mechanism: 'package',
    hooks: ['express', 'router'],
    scope: '@hopscope/instrumentation-express-route',
    gives:
      'route name on the server span (`http.route`); INTERNAL spans per layer only with `HOPSCOPE_EXPRESS_LAYER_SPANS=true`',
    from: 'ours: `ExpressRouteInstrumentation`; `@opentelemetry/instrumentation-express` for layer spans',
    // A span per middleware, router and handler costs more than it tells on most requests: by
    // default only the matched route is recorded, where express dispatches it. Layer spans
    // come from instrumentation-express (its scope), which also records the route.
    create: (options) => {
      if (!options.expressLayerSpans) return new ExpressRouteInstrumentation();
      const { ExpressInstrumentation } = importNow<typeof Express>('@opentelemetry/instrumentation-express');
      return new ExpressInstrumentation();
    },
  },
  {
    module: 'amqplib',
    mechanism: 'package',
    hooks: ['amqplib'],
    scope: '@opentelemetry/instrumentation-amqplib',
    metrics: 'messaging',
    gives: 'PRODUCER `publish <exchange>`, CONSUMER `<queue> process`, context in message headers',
    from: '`@opentelemetry/instrumentation-amqplib`',
    create: (options) =>
      createAmqplibInstrumentation({
        useLinksForConsume: options.consumeContext === 'link',
        consumeHook: (span: Span, info: ConsumeInfo) => {
          setPrimitiveAttribute(span, ATTR_MESSAGING_RABBITMQ_REDELIVERED, info.msg.fields.redelivered === true);
        },
      }),
  },
  {
    module: 'rabbitmq-client',
    mechanism: 'package',
    hooks: ['rabbitmq-client'],
    scope: '@hopscope/instrumentation-rabbitmq-client',
    metrics: 'messaging',
    gives: 'the same model (`Connection#createPublisher().send`, `Connection#createConsumer`)',
    // No OpenTelemetry instrumentation exists for it.
    from: 'ours: `RabbitmqClientInstrumentation`',
    create: (options) => new RabbitmqClientInstrumentation({ consumeContext: options.consumeContext }),
  },
  {
    module: 'pg',
    mechanism: 'package',
    hooks: ['pg', 'pg-pool'],
    scope: '@opentelemetry/instrumentation-pg',
    gives: 'CLIENT spans for queries inside a traced operation',
    from: '`@opentelemetry/instrumentation-pg`',
    create: () => {
      const { PgInstrumentation } = importNow<typeof Pg>('@opentelemetry/instrumentation-pg');
      return new PgInstrumentation({ requireParentSpan: true });
    },
  },
  {
    module: 'pino',
    mechanism: 'package',
    hooks: ['pino'],
    scope: '@opentelemetry/instrumentation-pino',
    gives: "`trace_id`/`span_id` on the lines of the application's own pino loggers (not sent: see Logs)",
    from: '`@opentelemetry/instrumentation-pino`',
    // Our own logger correlates and ships its lines; this adds trace_id/span_id to any other
    // pino logger the application creates, without sending its lines a second time.
    create: () => {
      const { PinoInstrumentation } = importNow<typeof Pino>('@opentelemetry/instrumentation-pino');
      return new PinoInstrumentation({ disableLogSending: true });
    },
  },
  {
    module: 'winston',
    mechanism: 'package',
    hooks: ['winston'],
    scope: '@opentelemetry/instrumentation-winston',
    gives: '`trace_id`/`span_id` on winston 3 records; each record also sent as an OTLP log record',
    from: '`@opentelemetry/instrumentation-winston`',
    // Sends with @opentelemetry/winston-transport, through the global Logs API, to logs/log-provider.ts.
    create: () => {
      const { WinstonInstrumentation } = importNow<typeof Winston>('@opentelemetry/instrumentation-winston');
      return new WinstonInstrumentation();
    },
  },
  {
    module: 'bunyan',
    mechanism: 'package',
    hooks: ['bunyan'],
    scope: '@opentelemetry/instrumentation-bunyan',
    gives: '`trace_id`/`span_id` on bunyan 1.x records; each record also sent as an OTLP log record',
    from: '`@opentelemetry/instrumentation-bunyan`',
    create: () => {
      const { BunyanInstrumentation } = importNow<typeof Bunyan>('@opentelemetry/instrumentation-bunyan');
      return new BunyanInstrumentation();
    },
  },
];

/** The instrumentation scopes whose spans of the given kind are measured as metrics. */
export function scopesMeasuredAs(metrics: 'http' | 'messaging'): Set<string> {
  return new Set(INSTRUMENTED_LIBRARIES.filter((library) => library.metrics === metrics).map((l) => l.scope));
}
