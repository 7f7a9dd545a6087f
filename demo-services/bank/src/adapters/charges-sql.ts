// The bank's ledger: one charge per payment reference, so that a retried charge (the payments
// service retries through its breaker) never takes the money twice.
import type pg from 'pg';

export const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS charges (
    reference text PRIMARY KEY,
    charge_id uuid NOT NULL DEFAULT gen_random_uuid(),
    amount_cents bigint NOT NULL,
    refunded_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
];

export interface Charge {
  chargeId: string;
  reference: string;
  amountCents: number;
  refunded: boolean;
}

interface ChargeRow {
  charge_id: string;
  reference: string;
  amount_cents: string;
  refunded_at: Date | null;
}

const toCharge = (row: ChargeRow): Charge => ({
  chargeId: row.charge_id,
  reference: row.reference,
  amountCents: Number(row.amount_cents),
  refunded: row.refunded_at !== null,
});

export class ChargesSql {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** Charges once per reference: a second call returns the first charge (`created: false`). */
  async charge(reference: string, amountCents: number): Promise<{ charge: Charge; created: boolean }> {
    const inserted = await this.pool.query<ChargeRow>(
      `INSERT INTO charges (reference, amount_cents) VALUES ($1, $2)
       ON CONFLICT (reference) DO NOTHING RETURNING charge_id, reference, amount_cents, refunded_at`,
      [reference, amountCents],
    );
    if (inserted.rows[0]) return { charge: toCharge(inserted.rows[0]), created: true };
    const existing = await this.pool.query<ChargeRow>(
      'SELECT charge_id, reference, amount_cents, refunded_at FROM charges WHERE reference = $1',
      [reference],
    );
    return { charge: toCharge(existing.rows[0]), created: false };
  }

  /**
   * Refunds a charge (again: a no-op); undefined when there is no such charge. A refund that
   * comes before its charge (the client gave up waiting and refunds to be sure, while the charge
   * is still on its way here) leaves a refunded, empty entry: the late charge is then refused
   * instead of taking money nobody will give back.
   */
  async refund(reference: string): Promise<Charge | undefined> {
    const { rows } = await this.pool.query<ChargeRow & { existed: boolean }>(
      `INSERT INTO charges (reference, amount_cents, refunded_at) VALUES ($1, 0, now())
       ON CONFLICT (reference) DO UPDATE SET refunded_at = coalesce(charges.refunded_at, now())
       RETURNING charge_id, reference, amount_cents, refunded_at, (xmax <> 0) AS existed`,
      [reference],
    );
    return rows[0]?.existed ? toCharge(rows[0]) : undefined;
  }
}
