// Which failures of a message handler are the world's, not the message's: a dependency that is
// unreachable or restarting. Those are retried in place, with backoff, for as long as they
// last; only the rest counts toward the poison-message limit. Without this distinction a
// database restart would dead-letter every message in flight, and a saga would lose its replies.

// PostgreSQL SQLSTATE classes and codes of a server that is going away or overloaded.
const PG_TRANSIENT = /^(08|57P0|53)/;
const NODE_NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// pg's own messages when no connection can be had or one breaks mid-query.
const PG_CLIENT =
  /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error/i;

export function isTransient(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth++) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NODE_NETWORK.has(code) || PG_TRANSIENT.test(code))) return true;
    if (typeof message === 'string' && PG_CLIENT.test(message)) return true;
    // fetch() wraps the network error: TypeError('fetch failed', { cause }).
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
