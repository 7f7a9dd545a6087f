// Every call from the gateway to a service goes through one cockatiel pipeline per upstream:
//
//   bulkhead (32 in flight, 64 queued)  → one slot for the whole call, retries included
//     retry (2 more, exponential backoff with decorrelated jitter) → only what may succeed later
//       breaker (opens after 5 consecutive failures, half-open after 5 s)
//         timeout (3 s per attempt; the request is aborted)
//
// Each attempt picks the next instance (round-robin), so a retry lands on another one.
// Retrying POSTs is safe here: placing an order carries an Idempotency-Key and a cancel is
// idempotent. Downstream 4xx answers are replies, not failures: they pass through untouched.
import { HttpError, type Log, type Upstream } from '@hopscope/demo-shared';
import {
  instrumentCockatielBreaker,
  instrumentCockatielBulkhead,
  instrumentCockatielRetry,
  instrumentCockatielTimeout,
} from '@hopscope/instrumentation/resilience';
import {
  ConsecutiveBreaker,
  ExponentialBackoff,
  type IPolicy,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleAll,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import type { ResilienceSettings } from '../config.ts';

export interface UpstreamReply {
  status: number;
  body: unknown;
}

export interface UpstreamRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
}

/** A 5xx answer: a failure for the breaker; worth retrying only when it says "try again" (502/503/504). */
class UpstreamStatusError extends Error {
  readonly status: number;

  constructor(upstream: string, status: number) {
    super(`${upstream} answered ${status}`);
    this.status = status;
  }
}

const RETRYABLE_STATUSES = new Set([502, 503, 504]);

// Not cockatiel's isTaskCancelledError: in 3.2.1 it tests for a bulkhead rejection instead.
function isTimeout(error: unknown): boolean {
  return error instanceof Error && 'isTaskCancelledError' in error;
}

function isRetryable(error: unknown): boolean {
  if (error instanceof UpstreamStatusError) return RETRYABLE_STATUSES.has(error.status);
  // An open breaker or a full bulkhead will not change within a backoff delay.
  if (isBrokenCircuitError(error) || isBulkheadRejectedError(error)) return false;
  // A timeout, or a network error (fetch's TypeError: refused, reset, DNS).
  return true;
}

export class ResilientUpstream {
  readonly name: string;
  private readonly upstream: Upstream;
  private readonly settings: ResilienceSettings;
  private readonly policy: IPolicy;
  private readonly log: Log;

  constructor(upstream: Upstream, settings: ResilienceSettings, log: Log) {
    this.name = upstream.name;
    this.upstream = upstream;
    this.settings = settings;
    this.log = log;
    const policyName = `gateway-${upstream.name}`;
    const retryPolicy = retry(handleWhen(isRetryable), {
      maxAttempts: settings.maxRetries,
      // cockatiel's default generator for ExponentialBackoff is decorrelated jitter.
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1000 }),
    });
    const breakerPolicy = circuitBreaker(handleAll, {
      halfOpenAfter: settings.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(settings.breakerFailures),
    });
    // Aggressive: give up at the deadline even if the callee ignores the abort signal.
    const timeoutPolicy = timeout(settings.timeoutMs, TimeoutStrategy.Aggressive);
    const bulkheadPolicy = bulkhead(settings.bulkheadSlots, settings.bulkheadQueue);
    this.policy = wrap(
      instrumentCockatielBulkhead(bulkheadPolicy, { name: policyName }),
      instrumentCockatielRetry(retryPolicy, { name: policyName }),
      instrumentCockatielBreaker(breakerPolicy, { name: policyName }),
      instrumentCockatielTimeout(timeoutPolicy, { name: policyName }),
    );
  }

  /** A reply below 500 (4xx included), or an HttpError 502/503 naming this upstream. */
  async request(path: string, request: UpstreamRequest = {}): Promise<UpstreamReply> {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    try {
      return await this.policy.execute(async ({ signal }) => {
        const response = await this.upstream.fetch(path, { method: request.method ?? 'GET', headers, body, signal });
        const text = await response.text();
        if (response.status >= 500) throw new UpstreamStatusError(this.name, response.status);
        return { status: response.status, body: parseJson(text) };
      });
    } catch (error) {
      throw this.asHttpError(error, path);
    }
  }

  private asHttpError(error: unknown, path: string): HttpError {
    const name = this.name;
    if (isBrokenCircuitError(error)) {
      this.log.warn({ upstream: name, path }, 'upstream circuit open: call rejected');
      const retryAfter = String(Math.ceil(this.settings.breakerHalfOpenAfterMs / 1000));
      return new HttpError(
        503,
        'upstream_unavailable',
        `${name} is unavailable: its circuit breaker is open`,
        undefined,
        { 'retry-after': retryAfter },
      );
    }
    if (isBulkheadRejectedError(error)) {
      this.log.warn({ upstream: name, path }, 'upstream bulkhead full: call rejected');
      return new HttpError(503, 'upstream_busy', `${name} is busy: too many calls in flight`, undefined, {
        'retry-after': '1',
      });
    }
    this.log.warn({ upstream: name, path, err: error }, 'upstream call failed after retries');
    if (isTimeout(error)) {
      return new HttpError(503, 'upstream_timeout', `${name} did not answer within ${this.settings.timeoutMs} ms`);
    }
    if (error instanceof UpstreamStatusError) {
      return RETRYABLE_STATUSES.has(error.status)
        ? new HttpError(503, 'upstream_unavailable', `${error.message}: unavailable`)
        : new HttpError(502, 'upstream_failed', `${error.message}: the call failed`);
    }
    return new HttpError(503, 'upstream_unavailable', `${name} is unreachable`);
  }
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { error: { code: 'upstream_not_json', message: text.slice(0, 200) } };
  }
}
