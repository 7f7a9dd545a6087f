import { HttpError, validate } from '@hopscope/demo-shared';
import express, { type Router } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { type Flakiness, planCall } from '../domain/flakiness.ts';
import type { BankChaos } from './bank-chaos.ts';
import type { ChargesSql } from './charges-sql.ts';

const chargeRequest = z.strictObject({
  reference: z.string().min(1).max(128),
  amountCents: z.int().min(0).max(100_000_000),
});

export function bankRoutes(charges: ChargesSql, flakiness: () => Flakiness, chaos: BankChaos): Router {
  const router = express.Router();
  router.use(express.json({ limit: '16kb' }));
  // The chaos knobs first: a 5xx burst fails a call before anything else, as an outage would.
  router.use(chaos.beforeCall);

  // Latency and failures apply to the bank's API calls, as a real provider's would.
  router.use(async (_req, _res, next) => {
    const plan = planCall(flakiness());
    await sleep(plan.delayMs);
    if (plan.fail) throw new HttpError(503, 'bank_unavailable', 'the bank is unavailable, try again later');
    next();
  });

  router.post('/charges', (req, res) =>
    chaos.answer(res, async () => {
      const { reference, amountCents } = validate(chargeRequest, req.body, 'charge');
      const { charge, created } = await charges.charge(reference, amountCents);
      if (!created && charge.refunded) {
        throw new HttpError(409, 'reference_refunded', `reference ${reference} was refunded; use a new reference`);
      }
      if (!created && charge.amountCents !== amountCents) {
        throw new HttpError(
          409,
          'reference_reused',
          `reference ${reference} was charged another amount`,
          'amountCents',
        );
      }
      return { status: created ? 201 : 200, body: charge };
    }),
  );

  router.post('/charges/:reference/refund', (req, res) =>
    chaos.answer(res, async () => {
      const charge = await charges.refund(req.params.reference);
      if (!charge) throw new HttpError(404, 'no_such_charge', `no charge with reference ${req.params.reference}`);
      return { status: 200, body: charge };
    }),
  );
  return router;
}
