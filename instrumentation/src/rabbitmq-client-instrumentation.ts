import {
  type Attributes,
  type Context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import {
  type InstrumentationConfig,
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
} from '@opentelemetry/instrumentation';
import * as attr from './semconv.ts';

// No OpenTelemetry instrumentation exists for rabbitmq-client. This one gives it the same span
// model as instrumentation-amqplib (PRODUCER `publish <destination>`, CONSUMER
// `<queue> process`, W3C context in the message headers), so services on either client
// share one trace.

export interface RabbitmqClientInstrumentationConfig extends InstrumentationConfig {
  /**
   * How a consumer span relates to the producer: its child, or a new trace with a link to it.
   * Baggage is restored in both modes.
   * @default 'parent'
   */
  consumeContext?: 'parent' | 'link';
}

interface Envelope {
  exchange?: string;
  routingKey?: string;
  headers?: Record<string, unknown>;
  messageId?: string;
  correlationId?: string;
}
interface AsyncMessage extends Envelope {
  redelivered?: boolean;
}
type ConsumerHandler = (msg: AsyncMessage, ...rest: unknown[]) => unknown;
type Send = (envelope: string | Envelope, body: unknown) => Promise<void>;
interface Publisher {
  send: Send;
}
interface ConnectionPrototype {
  createConsumer(props: { queue?: string }, handler: ConsumerHandler): unknown;
  createPublisher(props?: unknown): Publisher;
}

const VERSION = '0.1.0';

export class RabbitmqClientInstrumentation extends InstrumentationBase<RabbitmqClientInstrumentationConfig> {
  constructor(config: RabbitmqClientInstrumentationConfig = {}) {
    super('@hopscope/instrumentation-rabbitmq-client', VERSION, config);
  }

  protected init() {
    return new InstrumentationNodeModuleDefinition(
      'rabbitmq-client',
      ['>=4 <6'],
      (moduleExports: { Connection: { prototype: ConnectionPrototype } }) => {
        const proto = moduleExports.Connection.prototype;
        this._wrap(proto, 'createConsumer', (original) => this.patchCreateConsumer(original));
        this._wrap(proto, 'createPublisher', (original) => this.patchCreatePublisher(original));
        return moduleExports;
      },
      (moduleExports: { Connection: { prototype: ConnectionPrototype } }) => {
        this._unwrap(moduleExports.Connection.prototype, 'createConsumer');
        this._unwrap(moduleExports.Connection.prototype, 'createPublisher');
      },
    );
  }

  private patchCreatePublisher(original: ConnectionPrototype['createPublisher']) {
    const tracedSend = this.tracedSend.bind(this);
    return function createPublisher(this: unknown, props?: unknown): Publisher {
      const publisher = original.call(this, props);
      const send = publisher.send.bind(publisher);
      publisher.send = (envelope, body) => tracedSend(send, envelope, body);
      return publisher;
    };
  }

  private tracedSend(send: Send, envelope: string | Envelope, body: unknown): Promise<void> {
    const outgoing: Envelope = typeof envelope === 'string' ? { routingKey: envelope } : { ...envelope };
    const destination = outgoing.exchange || outgoing.routingKey || 'amq.default';
    const span = this.tracer.startSpan(`publish ${destination}`, {
      kind: SpanKind.PRODUCER,
      attributes: messageAttributes(outgoing, 'publish'),
    });
    const spanContext = trace.setSpan(context.active(), span);
    outgoing.headers = { ...outgoing.headers };
    propagation.inject(spanContext, outgoing.headers);
    return context
      .with(spanContext, () => send(outgoing, body))
      .then(
        () => span.end(),
        (error: unknown) => {
          endWithError(span, error);
          throw error;
        },
      );
  }

  private patchCreateConsumer(original: ConnectionPrototype['createConsumer']) {
    const tracedConsume = this.tracedConsume.bind(this);
    return function createConsumer(this: unknown, props: { queue?: string }, handler: ConsumerHandler) {
      const queue = props?.queue ?? '';
      const traced: ConsumerHandler = function (this: unknown, msg, ...rest) {
        return tracedConsume(queue, msg, () => handler.call(this, msg, ...rest));
      };
      return original.call(this, props, traced);
    };
  }

  private async tracedConsume(queue: string, msg: AsyncMessage, handle: () => unknown): Promise<unknown> {
    const extracted = propagation.extract(ROOT_CONTEXT, msg.headers ?? {});
    const { parent, links } = consumeParent(extracted, this.getConfig().consumeContext ?? 'parent');
    const span = this.tracer.startSpan(
      `${queue || msg.routingKey || 'amq.default'} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          ...messageAttributes(msg, 'process'),
          [attr.ATTR_MESSAGING_RABBITMQ_REDELIVERED]: msg.redelivered === true,
        },
        links,
      },
      parent,
    );
    try {
      const status = await context.with(trace.setSpan(parent, span), handle);
      // ConsumerStatus.REQUEUE (1) and DROP (2) are negative acknowledgements.
      if (status === 1 || status === 2) {
        span.setAttribute(attr.ATTR_ERROR_TYPE, status === 1 ? 'requeued' : 'dropped');
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
      return status;
    } catch (error) {
      endWithError(span, error);
      throw error;
    }
  }
}

/** Parent mode continues the producer's trace; link mode starts a new one that links to it. */
function consumeParent(extracted: Context, mode: 'parent' | 'link'): { parent: Context; links: Link[] } {
  if (mode === 'parent') return { parent: extracted, links: [] };
  const producer = trace.getSpanContext(extracted);
  const baggage = propagation.getBaggage(extracted);
  const parent = baggage ? propagation.setBaggage(ROOT_CONTEXT, baggage) : ROOT_CONTEXT;
  return { parent, links: producer ? [{ context: producer }] : [] };
}

function messageAttributes(message: Envelope, operation: 'publish' | 'process'): Attributes {
  const attributes: Attributes = {
    [attr.ATTR_MESSAGING_SYSTEM]: 'rabbitmq',
    [attr.ATTR_MESSAGING_DESTINATION_NAME]: message.exchange || message.routingKey || '',
    [attr.ATTR_MESSAGING_OPERATION_NAME]: operation,
    [attr.ATTR_MESSAGING_OPERATION_TYPE]: operation === 'publish' ? 'send' : 'process',
    [attr.ATTR_MESSAGING_RABBITMQ_ROUTING_KEY]: message.routingKey ?? '',
  };
  if (message.messageId) attributes[attr.ATTR_MESSAGING_MESSAGE_ID] = message.messageId;
  if (message.correlationId) attributes[attr.ATTR_MESSAGING_MESSAGE_CONVERSATION_ID] = message.correlationId;
  return attributes;
}

function endWithError(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException(err);
  span.setAttribute(attr.ATTR_ERROR_TYPE, err.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  span.end();
}
