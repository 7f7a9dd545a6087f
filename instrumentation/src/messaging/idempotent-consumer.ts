import { trace } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { assertBoundedName } from '../check-name.ts';
import { resolveRegistry } from '../metrics/shared-metrics.ts';
import { messagingMetrics } from './messaging-metrics.ts';
import { type ConnectionPool, type Queryable, checkTableName, inTransaction } from './sql.ts';

export interface IdempotentConsumerOptions {
  /** The consumer's name: a message is processed at most once per consumer (also the metric label). */
  consumer: string;
  /** @default 'hopscope_processed_messages' */
  table?: string;
  registry?: Registry;
}

export type ProcessResult<T> = { duplicate: false; result: T } | { duplicate: true };

const MAX_MESSAGE_ID_LENGTH = 256;

/**
 * Processes each message id at most once per consumer: the id is claimed in the same
 * transaction as the handler's own writes, so a crash between the two cannot happen, and two
 * concurrent redeliveries serialize on the primary key (the second waits, then sees a duplicate).
 */
export class IdempotentConsumer {
  readonly consumer: string;
  readonly table: string;
  private readonly metrics: ReturnType<typeof messagingMetrics>;

  constructor(options: IdempotentConsumerOptions) {
    this.consumer = assertBoundedName('consumer name', options.consumer);
    this.table = checkTableName(options.table ?? 'hopscope_processed_messages');
    this.metrics = messagingMetrics(resolveRegistry(options.registry));
    this.metrics.duplicates.inc({ consumer: this.consumer }, 0);
  }

  async createTable(db: Queryable): Promise<void> {
    await db.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
      consumer text NOT NULL,
      message_id text NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, message_id)
    )`);
  }

  /**
   * Runs `handler` in a transaction unless this consumer already processed `messageId`.
   * The handler gets the transaction's client for its own writes. A handler error rolls back
   * both, so a redelivery can try again.
   */
  async process<T>(
    pool: ConnectionPool,
    messageId: unknown,
    handler: (tx: Queryable) => Promise<T>,
  ): Promise<ProcessResult<T>> {
    if (typeof messageId !== 'string' || messageId.length === 0 || messageId.length > MAX_MESSAGE_ID_LENGTH) {
      throw new TypeError(
        `message id must be a string of 1-${MAX_MESSAGE_ID_LENGTH} characters, got ${JSON.stringify(messageId)?.slice(0, 80)}`,
      );
    }
    const outcome = await inTransaction(pool, async (tx): Promise<ProcessResult<T>> => {
      const claimed = await tx.query(
        `INSERT INTO ${this.table} (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [this.consumer, messageId],
      );
      if (claimed.rowCount === 0) return { duplicate: true };
      return { duplicate: false, result: await handler(tx) };
    });
    if (outcome.duplicate) {
      this.metrics.duplicates.inc({ consumer: this.consumer });
      trace
        .getActiveSpan()
        ?.addEvent('message.duplicate', { 'messaging.message.id': messageId, 'hopscope.consumer': this.consumer });
    } else {
      this.metrics.processed.inc({ consumer: this.consumer });
    }
    return outcome;
  }
}
