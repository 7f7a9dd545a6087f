// "No charge is left without a refund": refunds the bank could not take when they were
// decided (bank down, breaker open) and charges whose outcome is unknown (a timeout) are
// rows in refund_pending. This loop retries each when it is due, with exponential backoff
// and jitter per row, through the same breaker (an open breaker refuses at once, and the
// row waits longer). Each row is claimed with FOR UPDATE SKIP LOCKED, so several instances
// share the work without refunding twice (and the bank refunds a reference once anyway).
import type { Log } from '@hopscope/demo-shared';
import { inTransaction } from '@hopscope/instrumentation/messaging';
import type pg from 'pg';
import { refundRetryDelayMs, statusAfterRefund } from '../domain/payment.ts';
import type { BankClient } from './bank-client.ts';
import type { PaymentsSql } from './payments-sql.ts';

export interface RefundRetrierOptions {
  pool: pg.Pool;
  sql: PaymentsSql;
  bank: BankClient;
  log: Log;
  /** How often to look for due refunds, and the first delay of a row's backoff. */
  intervalMs: number;
}

/** Rows retried per pass at most, so a long outage's backlog does not hold the loop. */
const BATCH = 20;

export class RefundRetrier {
  private readonly options: RefundRetrierOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(options: RefundRetrierOptions) {
    this.options = options;
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .catch((error: unknown) => this.options.log.warn({ err: error }, 'refund retry pass failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.options.intervalMs);
  }

  /** Retries the refunds that are due, one transaction each; stops early when none is left. */
  private async pass(): Promise<void> {
    for (let i = 0; i < BATCH && !this.stopped; i++) {
      if (!(await this.retryOne())) return;
    }
  }

  private async retryOne(): Promise<boolean> {
    const { pool, sql, bank, log, intervalMs } = this.options;
    return inTransaction(pool, async (tx) => {
      const payment = await sql.claimDueRefund(tx);
      if (!payment) return false;
      const outcome = await bank.refund(payment.orderId);
      const chargeConfirmed = payment.bankChargeId !== null;
      const status = statusAfterRefund(outcome, chargeConfirmed);
      const fields = {
        orderId: payment.orderId,
        amountCents: payment.amountCents,
        attempts: payment.refundAttempts + 1,
      };
      if (outcome.kind === 'unavailable') {
        const delay = refundRetryDelayMs(payment.refundAttempts + 1, intervalMs);
        await sql.setStatus(tx, payment.orderId, status, outcome.reason, delay);
        log.warn({ ...fields, reason: outcome.reason, retryInMs: delay }, 'refund still pending: bank unavailable');
      } else {
        await sql.setStatus(tx, payment.orderId, status, null);
        if (status === 'declined') log.info(fields, 'refund not needed: the bank holds no charge for the order');
        else log.info({ ...fields, paymentId: payment.paymentId }, 'payment refunded');
      }
      return true;
    });
  }
}
