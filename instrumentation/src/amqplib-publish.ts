import { type Context, type Span, SpanStatusCode, context, diag, trace } from '@opentelemetry/api';
import type { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';

// instrumentation-amqplib's publish patches, the same spans for less work per message. Its
// confirm-channel patch marks the active context (two context objects), copies the arguments
// twice (a spread and a bind), runs the publish under context.with and binds the confirm
// callback to a context even when the caller gave none: ≈11 µs per confirmed publish on the
// bench's machine, as much as the span itself. Here a flag, set while a confirm channel's
// publish runs (amqplib publishes synchronously), tells the inner Channel#publish not to start
// a second span, and the caller's callback alone runs in the span's context. The span (its
// name, attributes and headers) still comes from instrumentation-amqplib's createPublishSpan.

type Callback = (this: unknown, err: unknown, ok: unknown) => void;
type Publish = (
  this: unknown,
  exchange: string,
  routingKey: string,
  content: unknown,
  options?: unknown,
  callback?: Callback,
) => unknown;
interface PublishHookInfo {
  moduleVersion: string | undefined;
  exchange: string;
  routingKey: string;
  content: unknown;
  options: unknown;
  isConfirmChannel: boolean;
  confirmError?: unknown;
}
interface PublishInternals {
  getPublishPatch?: (moduleVersion: string | undefined, original: Publish) => Publish;
  getConfirmedPublishPatch?: (moduleVersion: string | undefined, original: Publish) => Publish;
  createPublishSpan?: (
    self: unknown,
    exchange: string,
    routingKey: string,
    channel: unknown,
    options: unknown,
  ) => { span: Span; modifiedOptions: unknown };
  getConfig(): {
    publishHook?: (span: Span, info: PublishHookInfo) => void;
    publishConfirmHook?: (span: Span, info: PublishHookInfo) => void;
  };
}

/** Replaces instrumentation-amqplib's publish patches with the leaner ones below, if it still has them. */
export function leanPublish(instrumentation: AmqplibInstrumentation): void {
  const internals = instrumentation as unknown as PublishInternals;
  const { createPublishSpan } = internals;
  if (
    typeof internals.getPublishPatch !== 'function' ||
    typeof internals.getConfirmedPublishPatch !== 'function' ||
    typeof createPublishSpan !== 'function'
  ) {
    diag.debug('hopscope: instrumentation-amqplib changed; its own publish patches are kept');
    return;
  }
  const startSpan = (exchange: string, routingKey: string, channel: unknown, options: unknown) =>
    createPublishSpan.call(internals, internals, exchange, routingKey, channel, options);
  // A confirm channel's publish calls Channel#publish (also patched) before it returns.
  let publishingConfirmed = false;

  internals.getPublishPatch = (moduleVersion, original) =>
    function publish(this: unknown, exchange, routingKey, content, options) {
      // eslint-disable-next-line prefer-rest-params -- passed on as amqplib was called
      if (publishingConfirmed) return original.apply(this, arguments as unknown as Parameters<Publish>);
      const { span, modifiedOptions } = startSpan(exchange, routingKey, this, options);
      runHook(internals, 'publishHook', span, {
        moduleVersion,
        exchange,
        routingKey,
        content,
        options: modifiedOptions,
        isConfirmChannel: false,
      });
      try {
        return original.call(this, exchange, routingKey, content, modifiedOptions);
      } finally {
        span.end();
      }
    };

  internals.getConfirmedPublishPatch = (moduleVersion, original) =>
    function confirmedPublish(this: unknown, exchange, routingKey, content, options, callback) {
      const { span, modifiedOptions } = startSpan(exchange, routingKey, this, options);
      runHook(internals, 'publishHook', span, {
        moduleVersion,
        exchange,
        routingKey,
        content,
        options: modifiedOptions,
        isConfirmChannel: true,
      });
      const spanContext: Context | undefined = callback ? trace.setSpan(context.active(), span) : undefined;
      const onConfirm: Callback = function (err, ok) {
        try {
          if (callback) context.with(spanContext!, callback, this, err, ok);
        } finally {
          runHook(internals, 'publishConfirmHook', span, {
            moduleVersion,
            exchange,
            routingKey,
            content,
            options,
            isConfirmChannel: true,
            confirmError: err,
          });
          if (err) span.setStatus({ code: SpanStatusCode.ERROR, message: "message confirmation has been nack'ed" });
          span.end();
        }
      };
      publishingConfirmed = true;
      try {
        return original.call(this, exchange, routingKey, content, modifiedOptions, onConfirm);
      } finally {
        publishingConfirmed = false;
      }
    };
}

/**
 * The user's hook of that name, if one is configured. It never breaks the publish: its error is
 * logged, as instrumentation-amqplib does.
 */
function runHook(
  internals: PublishInternals,
  name: 'publishHook' | 'publishConfirmHook',
  span: Span,
  info: PublishHookInfo,
): void {
  const hook = internals.getConfig()[name];
  if (!hook) return;
  try {
    hook(span, info);
  } catch (error) {
    diag.error(`amqplib instrumentation: ${name} error`, error);
  }
}
