import type { Span } from '@opentelemetry/api';

// The SDK span's own fields (@opentelemetry/sdk-trace 3.x `SpanImpl`). Every call through a
// breaker marks its span with two short strings, and the SDK's setAttribute() checks each value
// with isAnyValue(), which allocates a WeakSet even for a string. Skipping that (with a closure
// per call removed at the same time) took ≈0.15–0.3 µs off the ≈0.8 µs the breaker telemetry
// added to a call (bench/breakers.ts). For a string that needs no truncation this writes what
// setAttribute() would; anything else (another span class, an ended span, a full span, a value
// over the length limit) goes through setAttribute(), which checks, drops and warns as before.
interface SdkSpanFields {
  attributes: Record<string, unknown>;
  _attributesCount: number;
  _ended: boolean;
  _spanLimits: { attributeCountLimit?: number; attributeValueLengthLimit?: number };
}

/** `span.setAttribute(key, value)` for a string value and a non-empty key. */
export function setStringAttribute(span: Span, key: string, value: string): void {
  const fields = span as unknown as Partial<SdkSpanFields>;
  const { attributes, _spanLimits: limits } = fields;
  if (
    fields._ended === false &&
    attributes !== undefined &&
    typeof fields._attributesCount === 'number' &&
    limits !== undefined &&
    // The SDK takes a limit ≤ 0 as none (with a warning): setAttribute() handles that case.
    !(value.length > (limits.attributeValueLengthLimit ?? Infinity))
  ) {
    if (Object.hasOwn(attributes, key)) {
      attributes[key] = value;
      return;
    }
    if (fields._attributesCount < (limits.attributeCountLimit ?? Infinity)) {
      attributes[key] = value;
      fields._attributesCount++;
      return;
    }
  }
  span.setAttribute(key, value);
}
