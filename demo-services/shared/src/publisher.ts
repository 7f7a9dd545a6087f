// Every message a demo service sends goes through its transactional outbox: written in the
// same database transaction as the state change it announces, published later by the relay.
// The body is validated against its contract here, at the producer, before it can be stored.
import { Outbox, OutboxRelay, type Queryable } from '@hopscope/instrumentation/messaging';
import amqp from 'amqplib';
import type pg from 'pg';
import { HEADER_MESSAGE_TYPE } from './amqp-client.ts';
import { MESSAGES, type Message, type MessageType, validate } from './contracts.ts';
import type { Log } from './log.ts';
import { type Topology, exchangeOf } from './topology.ts';

const OUTBOX_TABLE = 'outbox';

export class Publisher {
  readonly outbox: Outbox;
  private readonly topology: Topology;

  constructor(topology: Topology, pool: pg.Pool) {
    this.topology = topology;
    this.outbox = new Outbox({ table: OUTBOX_TABLE, pool });
  }

  /** Creates the outbox table (part of the service's migration). */
  createTable(db: Queryable): Promise<void> {
    return this.outbox.createTable(db);
  }

  /** Adds a message to the outbox inside `tx` (a client that ran BEGIN); returns its message id. */
  publish<T extends MessageType>(tx: Queryable, type: T, body: Message<T>, messageId?: string): Promise<string> {
    const checked = validate(MESSAGES[type], body, type);
    return this.outbox.write(tx, {
      exchange: this.topology.exchange(exchangeOf(type)),
      routingKey: type,
      payload: checked,
      headers: { [HEADER_MESSAGE_TYPE]: type },
      ...(messageId ? { messageId } : {}),
    });
  }

  /** The relay that publishes this outbox with publisher confirms (start() it, stop() on shutdown). */
  relay(pool: pg.Pool, amqpUrl: string, log: Log): OutboxRelay {
    return new OutboxRelay({
      outbox: this.outbox,
      pool,
      connect: () => amqp.connect(amqpUrl, { timeout: 5000 }),
      logger: log,
      pollIntervalMs: 100,
    });
  }
}
