// The bank, over HTTP, through an opossum circuit breaker named `bank` (instrumented by the
// package: state, transitions, calls by outcome). While the bank fails, the breaker opens and
// calls are refused at once instead of each waiting for a timeout; the fallback turns any
// failure into an answer the saga can act on: the charge is declined ("bank unavailable")
// and the orchestrator compensates.
//
// The fallback is applied here, around fire(), not with opossum's breaker.fallback(): with a
// fallback opossum resolves fire() with its value, and the breaker's telemetry would record
// every rejected or failed call as a success.
import type { Upstream } from '@hopscope/demo-shared';
import { instrumentOpossumBreaker } from '@hopscope/instrumentation/resilience';
import CircuitBreaker from 'opossum';
import type { ChargeOutcome, RefundOutcome } from '../domain/payment.ts';

export interface BankClientOptions {
  /** A call with no answer by then counts as a timeout (and its outcome is unknown). */
  timeoutMs: number;
  /** How long the breaker stays open before it lets one test call through. */
  resetTimeoutMs: number;
}

interface BankCall {
  path: string;
  body: object;
}

interface BankAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** A 5xx from the bank: the breaker counts it as a failure. */
class BankFailed extends Error {
  override readonly name = 'BankFailed';
  readonly status: number;

  constructor(status: number) {
    super(`bank answered HTTP ${status}`);
    this.status = status;
  }
}

export class BankClient {
  readonly breaker: CircuitBreaker<[BankCall], BankAnswer>;
  private readonly upstream: Upstream;
  private readonly timeoutMs: number;

  constructor(upstream: Upstream, options: BankClientOptions) {
    this.upstream = upstream;
    this.timeoutMs = options.timeoutMs;
    const breaker = new CircuitBreaker((call: BankCall) => this.send(call), {
      name: 'bank',
      timeout: options.timeoutMs,
      errorThresholdPercentage: 50,
      volumeThreshold: 5,
      resetTimeout: options.resetTimeoutMs,
      rollingCountTimeout: 10_000,
    });
    this.breaker = instrumentOpossumBreaker(breaker, { name: 'bank' });
  }

  /** Charges an order (the bank charges a reference once, so a retried charge is safe). */
  async charge(reference: string, amountCents: number): Promise<ChargeOutcome> {
    let answer: BankAnswer;
    try {
      answer = await this.breaker.fire({ path: '/charges', body: { reference, amountCents } });
    } catch (error) {
      return this.chargeFallback(error);
    }
    if (answer.status === 200 || answer.status === 201) {
      return { kind: 'charged', bankChargeId: String(answer.body['chargeId']) };
    }
    const code = (answer.body['error'] as { code?: unknown } | undefined)?.code;
    const detail = typeof code === 'string' ? ` ${code}` : '';
    return { kind: 'declined', reason: `bank refused the charge: HTTP ${answer.status}${detail}` };
  }

  /** Refunds the charge of a reference; "no charge" when the bank holds none. */
  async refund(reference: string): Promise<RefundOutcome> {
    let answer: BankAnswer;
    try {
      answer = await this.breaker.fire({ path: `/charges/${encodeURIComponent(reference)}/refund`, body: {} });
    } catch (error) {
      return { kind: 'unavailable', reason: describeFailure(error, this.timeoutMs) };
    }
    if (answer.status === 200) return { kind: 'refunded' };
    if (answer.status === 404) return { kind: 'no-charge' };
    return { kind: 'unavailable', reason: `bank refused the refund: HTTP ${answer.status}` };
  }

  /**
   * The fallback of a charge: declined, and whether the money may have been taken. Only a call
   * that surely did not reach the bank's ledger is a plain decline; a timeout is an unknown.
   */
  private chargeFallback(error: unknown): ChargeOutcome {
    const reason = describeFailure(error, this.timeoutMs);
    return surelyNotCharged(error) ? { kind: 'declined', reason } : { kind: 'unknown', reason };
  }

  /** One HTTP call; a 5xx or a network error throws (a breaker failure), a 4xx is an answer. */
  private async send(call: BankCall): Promise<BankAnswer> {
    const response = await this.upstream.fetch(call.path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(call.body),
      // The breaker's timeout rejects the caller; this ends the request itself a little later.
      signal: AbortSignal.timeout(this.timeoutMs + 1000),
    });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.status >= 500) throw new BankFailed(response.status);
    return { status: response.status, body };
  }
}

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/** Connection refused: the request never left this host. */
function connectionRefused(error: unknown): boolean {
  return errorCode((error as { cause?: unknown } | null)?.cause) === 'ECONNREFUSED';
}

function surelyNotCharged(error: unknown): boolean {
  const code = errorCode(error);
  if (code === 'EOPENBREAKER' || code === 'ESEMLOCKED') return true;
  // The bank answers 503 before it touches its ledger ("try again later").
  if (error instanceof BankFailed) return error.status === 503;
  return connectionRefused(error);
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const code = errorCode(error);
  if (code === 'EOPENBREAKER') return 'bank unavailable: circuit breaker open';
  if (code === 'ESEMLOCKED') return 'bank unavailable: too many calls in flight';
  if (code === 'ETIMEDOUT' || (error as Error | null)?.name === 'TimeoutError') {
    return `bank unavailable: no answer within ${timeoutMs} ms`;
  }
  if (error instanceof BankFailed) return `bank unavailable: HTTP ${error.status}`;
  if (connectionRefused(error)) return 'bank unavailable: connection refused';
  return `bank unavailable: ${error instanceof Error ? error.message : String(error)}`;
}
