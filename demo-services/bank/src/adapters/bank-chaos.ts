// What the bank's own chaos knobs (domain/bank-faults.ts) do to its API calls. A burst and a
// slow bank act before the call (a burst fails it before the ledger is touched); a timeout
// acts after it: the charge or refund is made, and only its answer is held back, so that the
// caller's "no answer" really means "outcome unknown", as with a real provider.
import { HttpError, type Log, type ServiceContext } from '@hopscope/demo-shared';
import { type SettingsOf, latencyMs } from '@hopscope/demo-shared/chaos-faults';
import type { RequestHandler, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { BANK_FAULTS, Burst, TIMEOUT_HOLD_MS } from '../domain/bank-faults.ts';

type Board = ServiceContext['faults'];

export interface Reply {
  status: number;
  body: unknown;
}

export interface BankChaos {
  /** Router middleware, first: a 5xx burst, then the slow bank. */
  beforeCall: RequestHandler;
  /** Runs a call and sends its reply (or throws its error), after bank.timeout's hold when this call drew it. */
  answer(res: Response, call: () => Promise<Reply>): Promise<void>;
}

export function bankChaos(board: Board, log: Log, random: () => number = Math.random): BankChaos {
  const burst = new Burst();
  board.onChange((name, active) => {
    if (name !== 'bank.5xx-burst') return;
    if (active) burst.start((active.settings as SettingsOf<(typeof BANK_FAULTS)['bank.5xx-burst']>).count);
    else burst.stop();
  });

  const beforeCall: RequestHandler = async (_req, _res, next) => {
    const settings = board.get('bank.5xx-burst') as SettingsOf<(typeof BANK_FAULTS)['bank.5xx-burst']> | undefined;
    const { fail, last } = burst.take();
    if (fail && settings) {
      if (last && board.clear('bank.5xx-burst')) {
        // Nobody called the admin API: say who ended it, in the same shape as its log lines.
        const reason = `its ${settings.count} failed calls are done`;
        log.info({ who: 'bank', fault: 'bank.5xx-burst', reason, at: new Date().toISOString() }, 'chaos fault cleared');
      }
      throw new HttpError(
        settings.status,
        'chaos_burst',
        'the bank failed the call: the bank.5xx-burst chaos fault is on',
      );
    }
    const slow = board.get('bank.slow') as SettingsOf<(typeof BANK_FAULTS)['bank.slow']> | undefined;
    if (slow) await sleep(latencyMs(slow, random));
    next();
  };

  const answer = async (res: Response, call: () => Promise<Reply>): Promise<void> => {
    const timeout = board.get('bank.timeout');
    const held = timeout !== undefined && random() < (timeout['rate'] ?? 1);
    let outcome: { reply: Reply } | { error: unknown };
    try {
      outcome = { reply: await call() };
    } catch (error) {
      outcome = { error };
    }
    if (held && !(await holdAnswer(board, res))) return;
    if ('error' in outcome) throw outcome.error;
    res.status(outcome.reply.status).json(outcome.reply.body);
  };

  return { beforeCall, answer };
}

/**
 * Holds a call's answer until the caller gives up (the usual end: it timed out), bank.timeout
 * is turned off, or TIMEOUT_HOLD_MS pass. Whether the answer should still be sent: not when
 * the caller is gone, nor when the bank is stopping (then the connection is cut, so the
 * shutdown does not wait for the hold).
 */
async function holdAnswer(board: Board, res: Response): Promise<boolean> {
  // The caller may have given up while the call ran: its 'close' is then already past.
  if (res.destroyed || res.req.socket.destroyed) return false;
  const done = new AbortController();
  let gone = false;
  try {
    await Promise.race([
      new Promise<void>((resolve) =>
        res.once('close', () => {
          gone = true;
          resolve();
        }),
      ),
      board.whileActive('bank.timeout'),
      sleep(TIMEOUT_HOLD_MS, undefined, { signal: done.signal }),
    ]);
  } catch {
    res.destroy();
    return false;
  } finally {
    done.abort();
  }
  return !gone && !res.destroyed;
}
