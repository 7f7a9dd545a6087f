import type { TraceState } from '@opentelemetry/api';

// W3C Trace Context Level 2, "tracestate Header Field Values" (www.w3.org/TR/trace-context-2/#key):
//   key      = ( lcalpha / DIGIT ) 0*255 ( keychar )   keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"
//   value    = 0*255( chr ) nblk-chr                    chr = %x20 / nblk-chr
//   nblk-chr = %x21-2B / %x2D-3C / %x3E-7E              (printable ASCII but `,` and `=`)
// Level 2 folded Level 1's `tenant@system` form into the one key rule above, so every Level 1 key
// (simple-key, multi-tenant-key) is still valid; the official harness tests the Level 2 rule.
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
// OWS around list members is spaces and horizontal tabs (RFC 9110 §5.6.3).
const MEMBER_SEPARATOR = /[ \t]*,[ \t]*/;
const OWS_AT_ENDS = /^[ \t]+|[ \t]+$/g;

type Member = readonly [key: string, value: string];

export const MAX_TRACESTATE_MEMBERS = 32;
/** What we propagate: the spec asks vendors to keep at least 512 characters of the combined header. */
export const MAX_TRACESTATE_LENGTH = 512;
/** Above this, a member is dropped first when the header has to be truncated (spec: "larger than 128"). */
const LARGE_MEMBER_LENGTH = 128;
/**
 * The longest header a valid list can be: 32 members of a 256-character key and value, with a
 * space on both sides of each comma. Anything longer is refused without being parsed.
 */
export const MAX_TRACESTATE_INPUT_LENGTH = MAX_TRACESTATE_MEMBERS * (256 + 1 + 256) + (MAX_TRACESTATE_MEMBERS - 1) * 3;

export function isValidTracestateKey(key: string): boolean {
  return KEY.test(key);
}

export function isValidTracestateValue(value: string): boolean {
  return VALUE.test(value);
}

/**
 * Parses a combined `tracestate` header (several header fields joined with `,`, RFC 9110 §5.3).
 * A header the grammar rejects — one invalid member, or more than 32 members — is discarded
 * whole (the harness's strict level expects that, and a half-read list would hand the vendors
 * after us entries out of context). Empty members are allowed and ignored. A duplicate key keeps
 * its left-most (most recent) entry. A list over 512 characters is truncated as the spec says.
 * Returns undefined when nothing is left to propagate.
 */
export function parseTracestate(header: string): W3CTraceState | undefined {
  if (header.length > MAX_TRACESTATE_INPUT_LENGTH) return undefined;
  const members: Member[] = [];
  for (const member of header.replace(OWS_AT_ENDS, '').split(MEMBER_SEPARATOR)) {
    if (member === '') continue;
    const equals = member.indexOf('=');
    if (equals <= 0) return undefined;
    // Spaces after the value were cut as OWS with the separator; spaces after `=` belong to it.
    const key = member.slice(0, equals);
    const value = member.slice(equals + 1);
    if (!isValidTracestateKey(key) || !isValidTracestateValue(value)) return undefined;
    members.push([key, value]);
    if (members.length > MAX_TRACESTATE_MEMBERS) return undefined;
  }
  const unique = new Map<string, string>();
  for (const [key, value] of members) if (!unique.has(key)) unique.set(key, value);
  const truncated = truncate([...unique]);
  return truncated.length > 0 ? new W3CTraceState(truncated) : undefined;
}

/**
 * "The vendor MUST truncate whole entries. Entries larger than 128 characters long SHOULD be
 * removed first. Then entries SHOULD be removed starting from the end of tracestate." We remove
 * only as many as it takes, right-most first within each rule.
 */
function truncate(members: Member[]): Member[] {
  const kept = [...members];
  const length = (): number => serialize(kept).length;
  for (let i = kept.length - 1; i >= 0 && length() > MAX_TRACESTATE_LENGTH; i--) {
    const [key, value] = kept[i];
    if (key.length + 1 + value.length > LARGE_MEMBER_LENGTH) kept.splice(i, 1);
  }
  while (length() > MAX_TRACESTATE_LENGTH) kept.pop();
  return kept;
}

function serialize(members: readonly Member[]): string {
  return members.map(([key, value]) => `${key}=${value}`).join(',');
}

/**
 * An immutable tracestate list with the Level 2 key rule. (The SDK's TraceState re-validates with
 * the Level 1 rule and would silently drop keys such as `foo@` or `1vendor@x` that we accept.)
 * Mutations follow "Mutating the tracestate Field": a set key moves to the left, nothing is ever
 * duplicated, and the list never grows past 32 members or 512 characters.
 */
export class W3CTraceState implements TraceState {
  private readonly members: readonly Member[];

  constructor(members: readonly Member[] = []) {
    this.members = members;
  }

  get(key: string): string | undefined {
    return this.members.find(([k]) => k === key)?.[1];
  }

  set(key: string, value: string): W3CTraceState {
    if (!isValidTracestateKey(key) || !isValidTracestateValue(value)) return this;
    const others = this.members.filter(([k]) => k !== key);
    const next = truncate([[key, value], ...others.slice(0, MAX_TRACESTATE_MEMBERS - 1)]);
    return new W3CTraceState(next);
  }

  unset(key: string): W3CTraceState {
    return new W3CTraceState(this.members.filter(([k]) => k !== key));
  }

  serialize(): string {
    return serialize(this.members);
  }
}
