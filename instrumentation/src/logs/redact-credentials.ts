// The logger's default redaction, written out instead of given to pino as `redact` paths:
// pino's paths are case-sensitive (covering `Authorization`, `AUTHORIZATION`... takes 54 of
// them) and its redactor clones along every wildcard path on every line: 5–10 µs a line for
// the old 16 lowercase paths, 20–45 µs for 54, against 0.1–0.6 µs for this walk, where pino
// itself takes 0.6–1.2 µs to write the line (bench/redaction.ts). The application's objects are never changed: an object holding a
// credential is copied, and only then.

/** Keys redacted by default, compared lowercased, so `Set-Cookie` and `PASSWORD` match too. */
export const DEFAULT_REDACTED_KEYS: readonly string[] = [
  'authorization',
  'cookie',
  'set-cookie',
  'set_cookie',
  'setcookie',
  'password',
  'token',
  'secret',
];

export const REDACTED = '[Redacted]';

const CREDENTIAL_KEYS = new Set(DEFAULT_REDACTED_KEYS);
const HEADERS = 'headers';
// How deep the walk is: what the README promises and nothing deeper (deeper paths cost a walk
// of every nested object on every line; the application lists them in `redact`).
const TOP_LEVEL = 0;
const ONE_LEVEL_DOWN = 1;
const IN_HEADERS = 2;

// Lowercasing every key of every line is most of the walk's cost; a key whose length no
// credential has cannot be one.
const CREDENTIAL_LENGTHS = new Set(DEFAULT_REDACTED_KEYS.map((key) => key.length));

function isCredential(key: string): boolean {
  return CREDENTIAL_LENGTHS.has(key.length) && CREDENTIAL_KEYS.has(key.toLowerCase());
}

/**
 * Objects whose JSON is their own enumerable keys. Errors are left to pino's error serializer,
 * arrays and objects with `toJSON` (Date, Buffer, ...) serialise differently from a plain copy.
 */
function isWalkable(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Error) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}

/**
 * `fields` with the default credentials replaced by `[Redacted]`: at the top level, one level
 * down, and inside a `headers` object one level down (`req.headers.cookie`). Keys match in any
 * letter case. Returns `fields` itself when nothing is redacted.
 */
export function redactCredentials(fields: Record<string, unknown>): Record<string, unknown> {
  return redactFrom(fields, TOP_LEVEL);
}

/**
 * The values interpolated into a message (`log.info('login %o', user)`): each object is
 * redacted as if it were logged at the top level. Mutates `values`, pino's own argument list.
 */
export function redactInterpolated(values: unknown[], from: number): void {
  for (let i = from; i < values.length; i++) {
    const value = values[i];
    if (isWalkable(value)) values[i] = redactCredentials(value);
  }
}

function redactFrom(fields: Record<string, unknown>, level: number): Record<string, unknown> {
  let result: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const value = fields[key];
    let redacted = value;
    if (value === undefined) continue;
    if (isCredential(key)) redacted = REDACTED;
    else if (level === TOP_LEVEL && isWalkable(value)) redacted = redactFrom(value, ONE_LEVEL_DOWN);
    else if (level === ONE_LEVEL_DOWN && isWalkable(value) && key.toLowerCase() === HEADERS) {
      redacted = redactFrom(value, IN_HEADERS);
    }
    if (redacted !== value) {
      result ??= { ...fields };
      result[key] = redacted;
    }
  }
  return result ?? fields;
}
