// The parts of OTLP messages that spans and log records share, encoded as otlp-transformer
// encodes them: attributes (KeyValue), their values (AnyValue) and dropped counts.
import { ProtobufWriter } from './protobuf-writer.ts';

// Past this many distinct keys, keys are encoded each time: attribute keys are a bounded set in
// practice, but a bug that puts ids into keys must not grow this cache forever.
const MAX_CACHED_KEYS = 2048;
// Most attribute values repeat from one span to the next (a method, a route, a status code, a
// broker's address, a routing key): a key's first distinct values are kept encoded, and their
// whole KeyValues copied in for the next spans. A key that varies (a path, a peer port) fills its
// few places and then costs one lookup a span more.
const MAX_CACHED_VALUES_PER_KEY = 16;
const MAX_CACHED_KEY_VALUE_BYTES = 128;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

interface EncodedKey {
  /** KeyValue.key = 1 with its tag and length. */
  key: Uint8Array;
  /** Whole KeyValues (length first, no tag) by primitive value; undefined for an uncached key. */
  values: Map<string | number | boolean, Uint8Array> | undefined;
}

/** Attribute keys, and their recurring values, encoded once. */
export class EncodedKeys {
  private readonly writer = new ProtobufWriter(256);
  private readonly keys = new Map<string, EncodedKey>();

  /** KeyValue.key = 1 with its tag and length. */
  get(key: string): Uint8Array {
    return this.entry(key).key;
  }

  /** One KeyValue `tag`: copied in whole when this key had this value before. */
  write(writer: ProtobufWriter, tag: number, key: string, value: unknown): void {
    const entry = this.entry(key);
    const values = entry.values;
    if (
      values !== undefined &&
      (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    ) {
      const encoded = values.get(value) ?? this.encodeValue(entry.key, values, value);
      if (encoded !== undefined) {
        writer.uint(tag);
        writer.raw(encoded);
        return;
      }
    }
    writeKeyValue(writer, tag, entry.key, value);
  }

  private entry(key: string): EncodedKey {
    let entry = this.keys.get(key);
    if (entry) return entry;
    const writer = this.writer;
    writer.pos = 0;
    writer.uint(0x0a);
    writer.string(key);
    entry = { key: writer.copy(), values: new Map() };
    // An uncached key is encoded each time, and never has its values cached.
    if (this.keys.size < MAX_CACHED_KEYS) this.keys.set(key, entry);
    else entry.values = undefined;
    return entry;
  }

  /**
   * The KeyValue of a value not seen before: kept while the key has few values and it is short;
   * undefined (to be encoded in place) once the key has many or the value is long.
   */
  private encodeValue(
    key: Uint8Array,
    values: Map<string | number | boolean, Uint8Array>,
    value: string | number | boolean,
  ): Uint8Array | undefined {
    if (values.size >= MAX_CACHED_VALUES_PER_KEY) return undefined;
    if (typeof value === 'string' && value.length > MAX_CACHED_KEY_VALUE_BYTES) return undefined;
    const writer = this.writer;
    writer.pos = 0;
    writeKeyValue(writer, 0, key, value);
    // writeKeyValue began with the tag: a zero, one byte, left out of what is kept.
    // Too long to keep (a long key, multi-byte text): these bytes serve this once, unkept.
    if (writer.pos > MAX_CACHED_KEY_VALUE_BYTES) return writer.buffer.subarray(1, writer.pos);
    const encoded = Uint8Array.prototype.slice.call(writer.buffer, 1, writer.pos);
    values.set(value, encoded);
    return encoded;
  }
}

/** Repeated KeyValue `tag`: each own property of `attributes`. */
export function writeAttributes(
  writer: ProtobufWriter,
  tag: number,
  attributes: Record<string, unknown> | undefined,
  keys: EncodedKeys,
): void {
  if (!attributes) return;
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    keys.write(writer, tag, key, attributes[key]);
  }
}

/** One KeyValue `tag`, its key from EncodedKeys. */
export function writeKeyValue(writer: ProtobufWriter, tag: number, key: Uint8Array, value: unknown): void {
  writer.uint(tag);
  const mark = writer.begin(1);
  writer.raw(key);
  writer.uint(0x12); // KeyValue.value = 2
  const valueMark = writer.begin(1);
  writeAnyValue(writer, value);
  writer.end(valueMark);
  writer.end(mark);
}

/** An AnyValue's fields, as otlp-transformer writes them (nothing for null or undefined). */
export function writeAnyValue(writer: ProtobufWriter, value: unknown): void {
  if (typeof value === 'string') {
    writer.uint(0x0a); // string_value = 1
    writer.string(value);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
      writer.uint(0x18); // int_value = 3
      writer.int64(value);
    } else {
      writer.uint(0x21); // double_value = 4
      writer.double(value);
    }
  } else if (typeof value === 'boolean') {
    writer.uint(0x10); // bool_value = 2
    writer.uint(value ? 1 : 0);
  } else if (value instanceof Uint8Array) {
    writer.uint(0x3a); // bytes_value = 7
    writer.bytes(value);
  } else if (Array.isArray(value)) {
    writer.uint(0x2a); // array_value = 5
    const array = writer.begin(1);
    for (const item of value as unknown[]) {
      writer.uint(0x0a); // ArrayValue.values = 1
      const mark = writer.begin(1);
      writeAnyValue(writer, item);
      writer.end(mark);
    }
    writer.end(array);
  } else if (typeof value === 'object' && value !== null) {
    writer.uint(0x32); // kvlist_value = 6
    const list = writer.begin(1);
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      writer.uint(0x0a); // KeyValueList.values = 1
      const pair = writer.begin(1);
      writer.uint(0x0a); // KeyValue.key = 1
      writer.string(key);
      writer.uint(0x12); // KeyValue.value = 2
      const mark = writer.begin(1);
      writeAnyValue(writer, (value as Record<string, unknown>)[key]);
      writer.end(mark);
      writer.end(pair);
    }
    writer.end(list);
  }
}

/** A count field, left out when zero (the protobuf default). */
export function writeCount(writer: ProtobufWriter, tag: number, count: number | undefined): void {
  if (!count) return;
  writer.uint(tag);
  writer.uint(count);
}
