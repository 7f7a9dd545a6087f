// Notifications' own record of what it sent: one row per (order, status), so a redelivered
// or repeated event never notifies a customer twice about the same thing.
import type { Queryable } from '@hopscope/instrumentation/messaging';
import type { Notification } from '../domain/notification.ts';

export const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS sent_notifications (
    order_id text NOT NULL,
    status text NOT NULL,
    recipient text NOT NULL,
    channel text NOT NULL,
    text text NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, status)
  )`,
];

export interface SentNotification extends Notification {
  sentAt: string;
}

interface SentRow {
  order_id: string;
  status: Notification['status'];
  recipient: string;
  channel: 'email';
  text: string;
  sent_at: Date;
}

export class SentNotificationsSql {
  /** Claims the (order, status) notification; false when it was sent before. */
  async claim(tx: Queryable, n: Notification): Promise<boolean> {
    const { rowCount } = await tx.query(
      `INSERT INTO sent_notifications (order_id, status, recipient, channel, text) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (order_id, status) DO NOTHING`,
      [n.orderId, n.status, n.to, n.channel, n.text],
    );
    return rowCount === 1;
  }

  async wasSent(db: Queryable, orderId: string, status: string): Promise<boolean> {
    const { rows } = await db.query('SELECT 1 FROM sent_notifications WHERE order_id = $1 AND status = $2', [
      orderId,
      status,
    ]);
    return rows.length > 0;
  }

  async listFor(db: Queryable, orderId: string): Promise<SentNotification[]> {
    const { rows } = await db.query<SentRow>(
      `SELECT order_id, status, recipient, channel, text, sent_at FROM sent_notifications
       WHERE order_id = $1 ORDER BY sent_at, status`,
      [orderId],
    );
    return rows.map((r) => ({
      orderId: r.order_id,
      status: r.status,
      to: r.recipient,
      channel: r.channel,
      text: r.text,
      sentAt: r.sent_at.toISOString(),
    }));
  }
}
