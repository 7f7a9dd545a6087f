// GETs to the backends' query APIs for the checks. A check polls until it holds or its deadline
// passes, so a backend that is down, slow or refusing the query is an answer ("does not hold,
// because …"), not an exception; only the run's own abort (Ctrl-C) rejects.

/** One request never waits longer than this: the check polls again. */
const REQUEST_TIMEOUT_MS = 10_000;

export type Reply = { ok: true; status: number; body: unknown } | { ok: false; problem: string };

export async function getJson(
  url: string,
  options: { signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { headers: options.headers ?? {}, signal });
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const host = new URL(url).host;
    if (timeout.aborted) return { ok: false, problem: `${host} gave no answer within ${REQUEST_TIMEOUT_MS / 1000} s` };
    return { ok: false, problem: `${host} unreachable: ${causeOf(error)}` };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) return { ok: false, problem: `HTTP ${response.status}: ${errorText(body, text)}` };
  if (body === undefined) return { ok: false, problem: `HTTP ${response.status}: not JSON: ${text.slice(0, 200)}` };
  return { ok: true, status: response.status, body };
}

/** The backend's own words: Prometheus `error`, Jaeger `errors[].msg`, Loki's plain text. */
function errorText(body: unknown, text: string): string {
  if (body && typeof body === 'object') {
    const record = body as { error?: unknown; errors?: Array<{ msg?: unknown }> };
    if (typeof record.error === 'string') return record.error;
    const messages = record.errors?.map((e) => e.msg).filter((m): m is string => typeof m === 'string');
    if (messages?.length) return messages.join('; ');
  }
  return text.trim().slice(0, 300) || '(empty body)';
}

/** fetch's "fetch failed" hides the reason (ECONNREFUSED…) in `cause`. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
