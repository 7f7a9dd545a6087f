// payments: charges and refunds for the sagas, recorded once per order in its own database.
// Calls the bank over HTTP through an opossum circuit breaker with a fallback
// (adapters/bank-client.ts); refunds the bank cannot take now are retried in the background
// until it does (adapters/refund-retrier.ts), so no charge is left without a refund.
import { type ServiceDefinition, Upstream, readNumber } from '@hopscope/demo-shared';
import { BankClient } from './adapters/bank-client.ts';
import { PaymentActions } from './adapters/payment-actions.ts';
import { MIGRATIONS, PaymentsSql } from './adapters/payments-sql.ts';
import { registerPaymentsConsumers } from './adapters/payments-consumers.ts';
import { RefundRetrier } from './adapters/refund-retrier.ts';

function readSettings(env: Record<string, string | undefined>) {
  return {
    bank: Upstream.fromEnv('bank', env),
    bankTimeoutMs: readNumber(env, 'PAYMENTS_BANK_TIMEOUT_MS', 2000, 10, 60_000),
    breakerResetMs: readNumber(env, 'PAYMENTS_BREAKER_RESET_MS', 5000, 10, 600_000),
    refundRetryMs: readNumber(env, 'PAYMENTS_REFUND_RETRY_MS', 1000, 10, 600_000),
  };
}

export const payments: ServiceDefinition = {
  name: 'payments',
  migrations: MIGRATIONS,
  checkConfig: readSettings,
  async build(context) {
    const settings = readSettings(context.env);
    const sql = new PaymentsSql();
    const bank = new BankClient(settings.bank, {
      timeoutMs: settings.bankTimeoutMs,
      resetTimeoutMs: settings.breakerResetMs,
    });
    const actions = new PaymentActions({ sql, bank, log: context.log, refundRetryBaseMs: settings.refundRetryMs });
    await registerPaymentsConsumers(context, actions);
    const retrier = new RefundRetrier({
      pool: context.pool,
      sql,
      bank,
      log: context.log,
      intervalMs: settings.refundRetryMs,
    });
    return {
      start: () => retrier.start(),
      async stop() {
        await retrier.stop();
        // opossum keeps a rolling-window timer per breaker; shut it so the process can end.
        bank.breaker.shutdown();
      },
    };
  },
};
