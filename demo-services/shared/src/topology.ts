// The RabbitMQ topology of the demo, as data, in one place: which exchange each message goes
// to and which queue receives it. Every service declares all of it at startup (declarations
// are idempotent), so start order does not matter and no message is published into the void.
//
//   <ns>.commands (topic)  inventory.* ──> <ns>.inventory.commands   (orchestrator → participants)
//                          payments.*  ──> <ns>.payments.commands
//                          orders.*    ──> <ns>.orders.replies       (participants → orchestrator)
//   <ns>.events   (topic)  domain events, fanned out to each subscriber's own queue
import type { MessageType } from './contracts.ts';

export interface QueueSpec {
  exchange: 'commands' | 'events';
  bindings: MessageType[];
}

/** Queue (without the namespace) → the exchange and routing keys bound to it. */
export const QUEUES = {
  'inventory.commands': { exchange: 'commands', bindings: ['inventory.reserve', 'inventory.release'] },
  'payments.commands': { exchange: 'commands', bindings: ['payments.charge', 'payments.refund'] },
  'orders.replies': { exchange: 'commands', bindings: ['orders.saga-reply'] },
  // Cancellation, a choreographed saga: each participant reacts to the previous one's event.
  'inventory.events': { exchange: 'events', bindings: ['order.cancellation-requested'] },
  'payments.events': { exchange: 'events', bindings: ['stock.released'] },
  'shipping.events': { exchange: 'events', bindings: ['order.confirmed', 'payment.refunded'] },
  'orders.events': { exchange: 'events', bindings: ['shipment.cancelled'] },
  'notifications.events': { exchange: 'events', bindings: ['order.status-changed'] },
  'order-view.events': {
    exchange: 'events',
    bindings: [
      'order.placed',
      'order.confirmed',
      'order.cancelled',
      'order.failed',
      'order.cancellation-requested',
      'shipment.scheduled',
      'shipment.cancelled',
    ],
  },
} as const satisfies Record<string, QueueSpec>;

export type QueueName = keyof typeof QUEUES;

/** Which exchange a message type is published to. */
export function exchangeOf(type: MessageType): 'commands' | 'events' {
  return type.startsWith('inventory.') || type.startsWith('payments.') || type.startsWith('orders.')
    ? 'commands'
    : 'events';
}

/** Names with the namespace applied: what is actually declared on the broker. */
export class Topology {
  readonly namespace: string;

  constructor(namespace: string) {
    this.namespace = namespace;
  }

  exchange(kind: 'commands' | 'events'): string {
    return `${this.namespace}.${kind}`;
  }

  queue(name: QueueName): string {
    return `${this.namespace}.${name}`;
  }

  /** The dead-letter queue the poison-message handling sends a queue's failures to. */
  deadLetterQueue(name: QueueName): string {
    return `${this.queue(name)}.dead-letter`;
  }

  /** Every queue and exchange this topology declares (tests delete them afterwards). */
  allNames(): { exchanges: string[]; queues: string[] } {
    const queues = (Object.keys(QUEUES) as QueueName[]).flatMap((q) => [this.queue(q), this.deadLetterQueue(q)]);
    return { exchanges: [this.exchange('commands'), this.exchange('events')], queues };
  }
}
