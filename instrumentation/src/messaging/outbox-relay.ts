import { ROOT_CONTEXT, context, propagation } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { type EventLogger, resolveEventLogger } from '../event-logger.ts';
import { resolveRegistry } from '../metrics/shared-metrics.ts';
import { safely } from '../safely.ts';
import { messagingMetrics } from './messaging-metrics.ts';
import type { Outbox, OutboxRow } from './outbox.ts';
import { type ConnectionPool, inTransaction } from './sql.ts';

/** What the relay needs of an amqplib confirm channel. */
export interface ConfirmChannelLike {
  publish(exchange: string, routingKey: string, content: Buffer, options: object): boolean;
  waitForConfirms(): Promise<void>;
}
/** What the relay needs of an amqplib connection. */
export interface AmqpConnectionLike {
  createConfirmChannel(): Promise<ConfirmChannelLike>;
  on(event: 'error' | 'close', listener: (error?: Error) => void): unknown;
  close(): Promise<void>;
}

export interface OutboxRelayOptions {
  outbox: Outbox;
  pool: ConnectionPool;
  /** Opens a connection to the broker, e.g. `() => amqp.connect(url)`; called again after a failure. */
  connect: () => Promise<AmqpConnectionLike>;
  /** @default 100 */
  batchSize?: number;
  /** How long to wait when nothing is pending (ms). @default 200 */
  pollIntervalMs?: number;
  /** The longest wait between attempts while the broker or database is down (ms). @default 5000 */
  maxBackoffMs?: number;
  registry?: Registry;
  logger?: EventLogger;
}

/**
 * Publishes pending outbox rows to RabbitMQ with publisher confirms, then marks them sent, in
 * one database transaction per batch (rows locked with SKIP LOCKED, so relays can run side by
 * side). A broker or database outage rolls the batch back: rows stay pending and go out when
 * it returns (at-least-once; consumers deduplicate by message id).
 */
export class OutboxRelay {
  private readonly options: Required<Omit<OutboxRelayOptions, 'registry' | 'logger'>>;
  private readonly metrics: ReturnType<typeof messagingMetrics>;
  private readonly logger: EventLogger;
  private connection: AmqpConnectionLike | undefined;
  private channel: ConfirmChannelLike | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private failing = false;
  private wake: (() => void) | undefined;

  constructor(options: OutboxRelayOptions) {
    this.options = { batchSize: 100, pollIntervalMs: 200, maxBackoffMs: 5000, ...options };
    this.metrics = messagingMetrics(resolveRegistry(options.registry));
    this.logger = resolveEventLogger(options.logger);
  }

  start(): void {
    this.stopping = false;
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
    await this.connection?.close().catch(() => undefined);
    this.connection = undefined;
    this.channel = undefined;
  }

  /** Publishes one batch; returns how many rows it sent. Throws (rows stay pending) on failure. */
  async relayOnce(): Promise<number> {
    const { outbox, pool, batchSize } = this.options;
    return inTransaction(pool, async (tx) => {
      const { rows } = await tx.query<OutboxRow>(
        `SELECT id, message_id, exchange, routing_key, content, content_type, headers, created_at
           FROM ${outbox.table} WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      if (rows.length === 0) return 0;
      const channel = await this.confirmChannel();
      for (const row of rows) this.publish(channel, row);
      await channel.waitForConfirms();
      await tx.query(`UPDATE ${outbox.table} SET sent_at = now() WHERE id = ANY($1::bigint[])`, [
        rows.map((r) => r.id),
      ]);
      const now = Date.now();
      for (const row of rows)
        this.metrics.outboxLag.observe({ table: outbox.table }, (now - row.created_at.getTime()) / 1000);
      this.metrics.outboxPublished.inc({ table: outbox.table }, rows.length);
      return rows.length;
    });
  }

  private publish(channel: ConfirmChannelLike, row: OutboxRow): void {
    // Publish in the context of the code that wrote the row: an instrumented amqplib makes its
    // PRODUCER span a child of that code's span, and the consumer continues that trace.
    const writerContext = propagation.extract(ROOT_CONTEXT, row.headers);
    context.with(writerContext, () =>
      channel.publish(row.exchange, row.routing_key, row.content, {
        headers: { ...row.headers },
        messageId: row.message_id,
        contentType: row.content_type ?? undefined,
        persistent: true,
      }),
    );
  }

  private async confirmChannel(): Promise<ConfirmChannelLike> {
    if (this.channel) return this.channel;
    const connection = await this.options.connect();
    const forget = () => {
      if (this.connection === connection) {
        this.connection = undefined;
        this.channel = undefined;
      }
    };
    // amqplib emits 'error' before 'close'; without a listener the process would crash.
    connection.on('error', forget);
    connection.on('close', forget);
    this.connection = connection;
    this.channel = await connection.createConfirmChannel();
    return this.channel;
  }

  private async loop(): Promise<void> {
    let backoffMs = this.options.pollIntervalMs;
    while (!this.stopping) {
      let sent = 0;
      try {
        sent = await this.relayOnce();
        if (this.failing) this.log('info', {}, 'outbox relay recovered');
        this.failing = false;
        backoffMs = this.options.pollIntervalMs;
      } catch (error) {
        this.metrics.outboxFailures.inc({ table: this.options.outbox.table });
        if (!this.failing) this.log('warn', { err: error }, 'outbox relay failed; rows stay pending');
        this.failing = true;
        await this.connection?.close().catch(() => undefined);
        this.connection = undefined;
        this.channel = undefined;
        backoffMs = Math.min(this.options.maxBackoffMs, backoffMs * 2);
      }
      if (sent < this.options.batchSize || this.failing)
        await this.sleep(this.failing ? backoffMs : this.options.pollIntervalMs);
    }
  }

  /**
   * The application's logger may throw; the loop must not: a throw here would reject the
   * relay's promise unhandled and end the process.
   */
  private log(level: 'info' | 'warn', fields: object, message: string): void {
    safely('outbox relay log line', () => this.logger[level]({ table: this.options.outbox.table, ...fields }, message));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
