import { context, propagation } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import { resolveRegistry } from '../metrics/shared-metrics.ts';
import { countPendingOnScrape, messagingMetrics } from './messaging-metrics.ts';
import { type ConnectionPool, type Queryable, checkTableName } from './sql.ts';

export interface OutboxMessage {
  /** @default '' (the default exchange: routingKey is then the queue) */
  exchange?: string;
  routingKey: string;
  /** A Buffer or string is sent as is; anything else as JSON. */
  payload: unknown;
  /** @default a random UUID */
  messageId?: string;
  /** @default 'application/json' for JSON payloads */
  contentType?: string;
  headers?: Record<string, string | number | boolean>;
}

/** One pending row, as the relay reads it. */
export interface OutboxRow {
  id: string;
  message_id: string;
  exchange: string;
  routing_key: string;
  content: Buffer;
  content_type: string | null;
  headers: Record<string, unknown>;
  created_at: Date;
}

export interface OutboxOptions {
  /** @default 'hopscope_outbox' */
  table?: string;
  /**
   * Where the pending-rows gauge goes (counted by a query at scrape time when `pool` is given).
   * @default the registry `start()` set up, else prom-client's global registry
   */
  registry?: Registry;
  /** The pool the pending-rows gauge queries. */
  pool?: ConnectionPool;
}

/**
 * A transactional outbox in PostgreSQL. `write()` adds a message inside the caller's
 * transaction together with the current trace context (W3C headers, baggage included), so
 * that the consumer continues the trace of the code that wrote it, not of the relay.
 */
export class Outbox {
  readonly table: string;

  constructor(options: OutboxOptions = {}) {
    this.table = checkTableName(options.table ?? 'hopscope_outbox');
    const pool = options.pool;
    if (pool) {
      countPendingOnScrape(resolveRegistry(options.registry), this.table, async () => {
        const { rows } = await pool.query<{ pending: string }>(
          `SELECT count(*) AS pending FROM ${this.table} WHERE sent_at IS NULL`,
        );
        return Number(rows[0]?.pending ?? 0);
      });
      messagingMetrics(resolveRegistry(options.registry)).outboxPending.set({ table: this.table }, 0);
    }
  }

  async createTable(db: Queryable): Promise<void> {
    await db.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
      id bigserial PRIMARY KEY,
      message_id text NOT NULL,
      exchange text NOT NULL,
      routing_key text NOT NULL,
      content bytea NOT NULL,
      content_type text,
      headers jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    )`);
    await db.query(`CREATE INDEX IF NOT EXISTS ${this.table}_pending ON ${this.table} (id) WHERE sent_at IS NULL`);
  }

  /** Writes a message in the caller's transaction (`tx` is the client that ran BEGIN). Returns its message id. */
  async write(tx: Queryable, message: OutboxMessage): Promise<string> {
    if (typeof message.routingKey !== 'string') throw new TypeError('outbox message needs a routingKey string');
    const messageId = message.messageId ?? randomUUID();
    const isRaw = Buffer.isBuffer(message.payload) || typeof message.payload === 'string';
    const content = isRaw
      ? Buffer.from(message.payload as Buffer | string)
      : Buffer.from(JSON.stringify(message.payload));
    const headers: Record<string, unknown> = { ...message.headers };
    propagation.inject(context.active(), headers);
    await tx.query(
      `INSERT INTO ${this.table} (message_id, exchange, routing_key, content, content_type, headers) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        messageId,
        message.exchange ?? '',
        message.routingKey,
        content,
        message.contentType ?? (isRaw ? null : 'application/json'),
        headers,
      ],
    );
    return messageId;
  }
}
