import type { Attributes, Span, Tracer } from '@opentelemetry/api';

// Attributes written straight into the SDK span's own fields (@opentelemetry/sdk-trace 3.x
// `SpanImpl`). The SDK checks every value with isAnyValue(), which allocates a WeakSet even for
// a string, and checks what is passed to startSpan() twice. Writing directly what those checks
// would have written took ≈0.15–0.3 µs off a breaker call (bench/breakers.ts) and, for the
// SERVER span's dozen attributes, the spans-only bench stage's main-thread CPU from 50 to 46 µs
// a request (≈0.8 µs in a microbenchmark, where the SDK's code stays in the caches). Anything
// else (another span class, an ended span, a full span, a string over the length limit, an
// empty key, an array) goes through setAttribute(), which checks, drops, counts and warns as
// before.
interface SdkSpanFields {
  attributes: Record<string, unknown>;
  _attributesCount: number;
  _ended: boolean;
  _spanLimits: { attributeCountLimit?: number; attributeValueLengthLimit?: number };
}

function sdkFields(span: Span): SdkSpanFields | undefined {
  const fields = span as unknown as Partial<SdkSpanFields>;
  return fields._ended === false &&
    fields.attributes !== undefined &&
    typeof fields._attributesCount === 'number' &&
    fields._spanLimits !== undefined
    ? (fields as SdkSpanFields)
    : undefined;
}

/** `span.setAttribute(key, value)` for a string, number or boolean value and a non-empty key. */
export function setPrimitiveAttribute(span: Span, key: string, value: string | number | boolean): void {
  const fields = sdkFields(span);
  if (!fields || !write(fields, key, value)) span.setAttribute(key, value);
}

/** `span.setAttributes(attributes)`: undefined values are skipped, as the SDK skips them. */
export function setAttributes(span: Span, attributes: Attributes): void {
  const fields = sdkFields(span);
  if (!fields) {
    span.setAttributes(attributes);
    return;
  }
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    const value = attributes[key];
    if (value === undefined) continue;
    const primitive = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    if (key.length === 0 || !primitive || !write(fields, key, value)) span.setAttribute(key, value);
  }
}

/** Writes what setAttribute() would for a primitive value; false when it must decide instead. */
function write(fields: SdkSpanFields, key: string, value: string | number | boolean): boolean {
  const limits = fields._spanLimits;
  // The SDK takes a length limit ≤ 0 as none (with a warning): setAttribute() handles that case.
  if (typeof value === 'string' && value.length > (limits.attributeValueLengthLimit ?? Infinity)) return false;
  if (Object.hasOwn(fields.attributes, key)) {
    fields.attributes[key] = value;
    return true;
  }
  if (fields._attributesCount >= (limits.attributeCountLimit ?? Infinity)) return false;
  fields.attributes[key] = value;
  fields._attributesCount++;
  return true;
}

const leanTracers = new WeakMap<Tracer, Tracer>();

/**
 * The tracer, except that startSpan() writes the attributes it is given into the span once it
 * exists (setAttributes above) instead of having the SDK check them twice: for an upstream
 * instrumentation that passes its attributes to startSpan(). The package's samplers and
 * processors do not read attributes at start, so the span ends up the same.
 */
export function leanAttributeTracer(tracer: Tracer): Tracer {
  let lean = leanTracers.get(tracer);
  if (!lean) {
    lean = {
      startSpan(name, options, context) {
        if (options?.attributes === undefined) return tracer.startSpan(name, options, context);
        const span = tracer.startSpan(name, { ...options, attributes: undefined }, context);
        setAttributes(span, options.attributes);
        return span;
      },
      startActiveSpan: tracer.startActiveSpan.bind<Tracer['startActiveSpan']>(tracer),
    };
    leanTracers.set(tracer, lean);
  }
  return lean;
}
