// A protobuf writer over one growing Buffer, for the OTLP encoders (traces/otlp-span-serializer.ts,
// logs/pino-line-encoder.ts). Unlike otlp-transformer's writer it needs no size-estimation pass:
// a message's length is back-patched into bytes reserved before it (and the body moved when the
// guess was wrong), and strings are written straight from the JS string, without an
// intermediate encoding.

const TWO_POW_32 = 4294967296;

export class ProtobufWriter {
  buffer: WritableBuffer;
  pos = 0;

  constructor(initialSize: number) {
    this.buffer = Buffer.allocUnsafe(initialSize) as WritableBuffer;
  }

  /** Room for `size` more bytes. */
  ensure(size: number): void {
    if (this.pos + size <= this.buffer.length) return;
    let length = Math.max(this.buffer.length * 2, 1024);
    while (length < this.pos + size) length *= 2;
    const grown = Buffer.allocUnsafe(length) as WritableBuffer;
    this.buffer.copy(grown, 0, 0, this.pos);
    this.buffer = grown;
  }

  /** A copy of what was written, for bytes kept while this writer is reused. */
  copy(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.buffer, 0, this.pos);
  }

  /** Starts over in `buffer`, which then belongs to this writer. */
  reset(buffer: Buffer): void {
    this.buffer = buffer as WritableBuffer;
    this.pos = 0;
  }

  /** A tag or any other varint below 2^31. */
  uint(value: number): void {
    this.ensure(5);
    const buffer = this.buffer;
    while (value > 127) {
      buffer[this.pos++] = (value & 127) | 128;
      value >>>= 7;
    }
    buffer[this.pos++] = value;
  }

  /** An int64 varint of an integer in [-2^63, 2^63): negatives take ten bytes. */
  int64(value: number): void {
    if (value >= 0 && value < 2147483648) return this.uint(value);
    let low: number;
    let high: number;
    if (value >= 0) {
      low = value >>> 0;
      high = (value / TWO_POW_32) >>> 0;
    } else {
      const abs = -value;
      low = ~(abs >>> 0) >>> 0;
      high = ~((abs / TWO_POW_32) >>> 0) >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    this.ensure(10);
    const buffer = this.buffer;
    while (high > 0 || low > 127) {
      buffer[this.pos++] = (low & 127) | 128;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buffer[this.pos++] = low;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.pos = this.buffer.writeUInt32LE(value >>> 0, this.pos);
  }

  double(value: number): void {
    this.ensure(8);
    this.pos = this.buffer.writeDoubleLE(value, this.pos);
  }

  /** An HrTime ([seconds, nanoseconds]) as fixed64 nanoseconds, exact beyond 2^53. */
  hrTime(time: readonly [number, number]): void {
    this.time(time[0], time[1]);
  }

  /** Seconds and nanoseconds as fixed64 nanoseconds, exact beyond 2^53. */
  time(seconds: number, nanoseconds: number): void {
    // seconds * 1e9 does not fit a double exactly: split seconds in 16-bit halves whose
    // products do, and add them as 32-bit words with carries.
    const lowProduct = (seconds % 65536) * 1e9 + nanoseconds;
    const highProduct = Math.floor(seconds / 65536) * 1e9; // to be multiplied by 2^16
    const sumLow = (lowProduct % TWO_POW_32) + (highProduct % 65536) * 65536;
    const low = sumLow % TWO_POW_32;
    const high =
      Math.floor(lowProduct / TWO_POW_32) + Math.floor(highProduct / 65536) + Math.floor(sumLow / TWO_POW_32);
    this.ensure(8);
    const buffer = this.buffer;
    buffer.writeUInt32LE(low >>> 0, this.pos);
    buffer.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  /** Length-delimited bytes. */
  bytes(value: Uint8Array): void {
    this.uint(value.length);
    this.raw(value);
  }

  /** Bytes already encoded (a cached tag and value). */
  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this.buffer.set(value, this.pos);
    this.pos += value.length;
  }

  /** Bytes already encoded, from `source` between `start` and `end`. */
  rawFrom(source: Buffer, start: number, end: number): void {
    this.ensure(end - start);
    this.pos += source.copy(this.buffer, this.pos, start, end);
  }

  /**
   * A hex trace or span id as length-delimited bytes, decoded in place (upper or lower case,
   * as otlp-transformer's hexToBinary).
   */
  hexId(hex: string): void {
    const size = hex.length >>> 1;
    this.uint(size);
    this.ensure(size);
    const buffer = this.buffer;
    for (let i = 0; i < size; i++) {
      buffer[this.pos++] = (hexDigit(hex.charCodeAt(2 * i)) << 4) | hexDigit(hex.charCodeAt(2 * i + 1));
    }
  }

  /** A length-delimited UTF-8 string. */
  string(value: string): void {
    const length = value.length;
    // Up to 42 UTF-16 units make at most 126 UTF-8 bytes: a one-byte length, known before.
    if (length < 43) {
      this.ensure(1 + 3 * length);
      const buffer = this.buffer;
      const start = this.pos + 1;
      let i = 0;
      // ASCII is copied here: cheaper than a call into C++ for the short strings spans hold.
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code > 127) break;
        buffer[start + i] = code;
      }
      const written = i === length ? length : i + buffer.utf8Write(value.slice(i), start + i);
      buffer[this.pos] = written;
      this.pos = start + written;
      return;
    }
    const size = Buffer.byteLength(value, 'utf8');
    this.uint(size);
    this.ensure(size);
    this.pos += size === length ? this.buffer.latin1Write(value, this.pos) : this.buffer.utf8Write(value, this.pos);
  }

  /**
   * Reserves `reserved` bytes for the length of the message that follows; returns where, for
   * end(). Reserve what the message usually needs, 1 byte below 128, 2 below 16 KiB.
   */
  begin(reserved: number): number {
    this.ensure(reserved);
    const start = this.pos;
    this.pos += reserved;
    return start * 4 + reserved;
  }

  /** Writes the length of the message begun at `mark`, moving it if its varint is not the size reserved. */
  end(mark: number): void {
    const reserved = mark & 3;
    const start = (mark - reserved) / 4;
    const bodyStart = start + reserved;
    const length = this.pos - bodyStart;
    const size = length < 128 ? 1 : length < 16384 ? 2 : length < 2097152 ? 3 : length < 268435456 ? 4 : 5;
    if (size !== reserved) {
      this.ensure(size - reserved);
      this.buffer.copyWithin(start + size, bodyStart, this.pos);
      this.pos += size - reserved;
    }
    const buffer = this.buffer;
    let at = start;
    let value = length;
    while (value > 127) {
      buffer[at++] = (value & 127) | 128;
      value >>>= 7;
    }
    buffer[at] = value;
  }
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return code - 55;
}

/**
 * Node's own Buffer methods behind buffer.write(value, offset, encoding), without its argument
 * parsing; present since Node 0.x, untyped in @types/node.
 */
type WritableBuffer = Buffer & {
  utf8Write(value: string, offset: number): number;
  latin1Write(value: string, offset: number): number;
};
