// What the http.* knobs do to a request of the service's own routes (never /healthz, /readyz
// or /metrics: the orchestrator and Prometheus must keep seeing the process as it is). Down
// wins over the others; latency comes before the error, so a fault can be slow AND failing.
import type { RequestHandler } from 'express';
import { HttpError } from '../http-errors.ts';
import type { FaultBoard } from './fault-board.ts';
import { latencyMs } from './faults.ts';
import { setTimeout as sleep } from 'node:timers/promises';

export function httpFaults(board: FaultBoard, random: () => number = Math.random): RequestHandler {
  const failOrPass = (next: (error?: unknown) => void) => {
    const errors = board.get('http.error-rate');
    if (errors && random() < errors.rate) {
      next(new HttpError(errors.status, 'chaos_error', `failed: the http.error-rate chaos fault is on`));
      return;
    }
    next();
  };
  return (_req, _res, next) => {
    if (board.get('http.down')) {
      next(new HttpError(503, 'chaos_down', 'unavailable: the http.down chaos fault is on'));
      return;
    }
    const latency = board.get('http.latency');
    // Every request passes here: without a latency fault it goes on in the same turn.
    if (!latency) {
      failOrPass(next);
      return;
    }
    // The error fault is read after the wait: it may have changed meanwhile.
    void sleep(latencyMs(latency, random)).then(() => failOrPass(next));
  };
}
