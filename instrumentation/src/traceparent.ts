import { type SpanContext, TraceFlags } from '@opentelemetry/api';

/** Trace Context Level 2: bit 1 says the right-most 7 bytes of the trace id are random. */
export const RANDOM_TRACE_ID_FLAG = 0x02;
/** The flags this version of the spec defines; the others "MUST be set to zero" when we send. */
export const KNOWN_TRACE_FLAGS = TraceFlags.SAMPLED | RANDOM_TRACE_ID_FLAG;
/**
 * A future version may be longer than version 00's 55 characters ("only disallow prohibitively
 * large headers"); past this we refuse it without reading it.
 */
export const MAX_TRACEPARENT_LENGTH = 512;

const VERSION_00_LENGTH = 55;
// version "-" trace-id "-" parent-id "-" trace-flags: the first four fields of every version.
const FIRST_FOUR_FIELDS = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})/;
const ALL_ZERO = /^0+$/;
const OWS_AT_ENDS = /^[ \t]+|[ \t]+$/g;

export interface ParsedTraceparent {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

/**
 * Parses a `traceparent` as "Versioning of traceparent" says: version 00 is exactly 55
 * characters; a higher version (but ff, which is invalid) is read by its first four fields,
 * which must be followed by the end of the header or a `-`, and whatever comes after is
 * ignored. Only the flags this version knows (sampled, random) are kept. Returns undefined
 * for anything else, so the caller restarts the trace.
 */
export function parseTraceparent(header: string): ParsedTraceparent | undefined {
  // What every message and request we continue carries, read without the regular expressions.
  if (header.length === VERSION_00_LENGTH && header.startsWith('00-')) return parseVersion00(header);
  if (header.length > MAX_TRACEPARENT_LENGTH) return undefined;
  const value = header.replace(OWS_AT_ENDS, '');
  const match = FIRST_FOUR_FIELDS.exec(value);
  if (!match) return undefined;
  const [, version, traceId, spanId, flags] = match as unknown as [string, string, string, string, string];
  if (version === 'ff') return undefined;
  if (version === '00' ? value.length !== VERSION_00_LENGTH : !endsOrContinues(value)) return undefined;
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) & KNOWN_TRACE_FLAGS };
}

/** A version 00 header without surrounding whitespace: the same checks as FIRST_FOUR_FIELDS and ALL_ZERO. */
function parseVersion00(value: string): ParsedTraceparent | undefined {
  if (value.charCodeAt(35) !== DASH || value.charCodeAt(52) !== DASH) return undefined;
  if (!isLowerHex(value, 3, 35) || !isLowerHex(value, 36, 52) || !isLowerHex(value, 53, 55)) return undefined;
  const traceId = value.slice(3, 35);
  const spanId = value.slice(36, 52);
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: parseInt(value.slice(53), 16) & KNOWN_TRACE_FLAGS };
}

const DASH = 0x2d;

function isLowerHex(value: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = value.charCodeAt(i);
    if (!((code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66))) return false;
  }
  return true;
}

function endsOrContinues(value: string): boolean {
  return value.length === VERSION_00_LENGTH || value[VERSION_00_LENGTH] === '-';
}

/** Version 00, the highest version we know, whatever version we received ("downgrade the version"). */
export function formatTraceparent({ traceId, spanId, traceFlags }: SpanContext): string {
  const flags = (traceFlags & KNOWN_TRACE_FLAGS).toString(16).padStart(2, '0');
  return `00-${traceId}-${spanId}-${flags}`;
}
