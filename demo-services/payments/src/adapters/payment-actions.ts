// Charging and refunding one order, inside the caller's transaction (the message's, so the
// payment row, the processed message id and the reply commit together). The bank call sits
// inside the transaction on purpose: the bank charges a reference once, so if the commit
// fails the redelivered message calls it again and gets the same charge back, never a second.
import type { Log } from '@hopscope/demo-shared';
import type { Queryable } from '@hopscope/instrumentation/messaging';
import {
  type PaymentStatus,
  holdsMoney,
  refundRetryDelayMs,
  statusAfterCharge,
  statusAfterRefund,
} from '../domain/payment.ts';
import type { BankClient } from './bank-client.ts';
import type { Payment, PaymentsSql } from './payments-sql.ts';

export interface PaymentActionsOptions {
  sql: PaymentsSql;
  bank: BankClient;
  log: Log;
  /** The first delay of a pending refund's retries. */
  refundRetryBaseMs: number;
}

export type ChargeAnswer = { ok: true; paymentId: string } | { ok: false; reason: string };

export interface RefundAnswer {
  /** What went back (or is owed back) to the customer; 0 when nothing was taken. */
  amountCents: number;
  status: PaymentStatus;
}

export class PaymentActions {
  private readonly options: PaymentActionsOptions;

  constructor(options: PaymentActionsOptions) {
    this.options = options;
  }

  /** Charges an order once: a second command for it gets the first one's answer. */
  async charge(tx: Queryable, orderId: string, customer: string, amountCents: number): Promise<ChargeAnswer> {
    const { sql, bank, log, refundRetryBaseMs } = this.options;
    await sql.lockOrder(tx, orderId);
    const existing = await sql.find(tx, orderId);
    if (existing) return answerOf(existing);

    const outcome = await bank.charge(orderId, amountCents);
    const status = statusAfterCharge(outcome);
    const payment = await sql.insert(tx, {
      orderId,
      customer,
      amountCents,
      status,
      bankChargeId: outcome.kind === 'charged' ? outcome.bankChargeId : null,
      reason: outcome.kind === 'charged' ? null : outcome.reason,
      ...(status === 'refund_pending' ? { refundInMs: refundRetryBaseMs } : {}),
    });
    if (outcome.kind === 'charged') {
      log.info({ orderId, paymentId: payment.paymentId, amountCents }, 'payment charged');
    } else {
      log.warn({ orderId, amountCents, reason: outcome.reason }, 'payment declined');
      if (outcome.kind === 'unknown') log.warn({ orderId }, 'charge outcome unknown: refunding by reference');
    }
    return answerOf(payment);
  }

  /**
   * Gives an order's money back. When the bank cannot take the refund now, it is recorded as
   * owed (refund_pending) and the refund retrier takes it from there; the caller goes on.
   */
  async refund(tx: Queryable, orderId: string): Promise<RefundAnswer> {
    const { sql, bank, log, refundRetryBaseMs } = this.options;
    await sql.lockOrder(tx, orderId);
    const payment = await sql.find(tx, orderId);
    if (!payment) {
      // A refund before any charge was recorded: the charge step timed out at the orchestrator,
      // or its command is still on its way. Whatever the bank may hold for the order is given
      // back by reference (the retrier; "no such charge" ends it declined), and the row makes a
      // late charge command find the order refunded instead of charging it.
      await sql.insert(tx, {
        orderId,
        customer: null,
        amountCents: 0,
        status: 'refund_pending',
        bankChargeId: null,
        reason: 'refunded before any charge was recorded',
        refundInMs: 0,
      });
      log.info({ orderId }, 'refund before any charge: refunding by reference');
      return { amountCents: 0, status: 'refund_pending' };
    }
    if (!holdsMoney(payment.status)) {
      // Declined (nothing taken), refunded already, or owed and being retried.
      return { amountCents: owedOrReturned(payment), status: payment.status };
    }
    const outcome = await bank.refund(orderId);
    const status = statusAfterRefund(outcome, true);
    if (outcome.kind === 'unavailable') {
      await sql.setStatus(tx, orderId, status, outcome.reason, refundRetryDelayMs(0, refundRetryBaseMs));
      log.warn(
        { orderId, amountCents: payment.amountCents, reason: outcome.reason },
        'refund pending: bank unavailable',
      );
    } else {
      await sql.setStatus(tx, orderId, status, null);
      log.info({ orderId, paymentId: payment.paymentId, amountCents: payment.amountCents }, 'payment refunded');
    }
    return { amountCents: payment.amountCents, status };
  }
}

function answerOf(payment: Payment): ChargeAnswer {
  if (payment.status === 'charged') return { ok: true, paymentId: payment.paymentId };
  return { ok: false, reason: payment.reason ?? `payment ${payment.status}` };
}

/** A confirmed charge's amount is returned or owed; an unconfirmed one returns nothing known. */
function owedOrReturned(payment: Payment): number {
  return payment.bankChargeId === null ? 0 : payment.amountCents;
}
