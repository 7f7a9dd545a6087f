// The parts of OTLP messages that spans and log records share, encoded as otlp-transformer
// encodes them: attributes (KeyValue), their values (AnyValue) and dropped counts.
import { ProtobufWriter } from './protobuf-writer.ts';

// Past this many distinct keys, keys are encoded each time: attribute keys are a bounded set in
// practice, but a bug that puts ids into keys must not grow this cache forever.
const MAX_CACHED_KEYS = 2048;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** KeyValue.key = 1 with its tag and length, encoded once per key. */
export class EncodedKeys {
  private readonly writer = new ProtobufWriter(256);
  private readonly keys = new Map<string, Uint8Array>();

  get(key: string): Uint8Array {
    let encoded = this.keys.get(key);
    if (encoded) return encoded;
    const writer = this.writer;
    writer.pos = 0;
    writer.uint(0x0a);
    writer.string(key);
    encoded = writer.copy();
    if (this.keys.size < MAX_CACHED_KEYS) this.keys.set(key, encoded);
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
    writeKeyValue(writer, tag, keys.get(key), attributes[key]);
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
