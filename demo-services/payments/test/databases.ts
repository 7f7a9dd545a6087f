// Test helper: a client on one service's database in a test namespace (to look at its rows).
import { TEST_DATABASE_URL } from '@hopscope/demo-shared/testing';
import pg from 'pg';

export async function connectTo(namespace: string, service: string): Promise<pg.Client> {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${namespace}_${service}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

export interface BankCharge {
  reference: string;
  amount_cents: string;
  refunded: boolean;
}

export async function bankCharges(bankDb: pg.Client, reference?: string): Promise<BankCharge[]> {
  const { rows } = await bankDb.query<BankCharge>(
    `SELECT reference, amount_cents, refunded_at IS NOT NULL AS refunded FROM charges
     WHERE $1::text IS NULL OR reference = $1`,
    [reference ?? null],
  );
  return rows;
}
