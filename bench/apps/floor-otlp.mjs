// What the floors share (the HTTP stage's two halves, express-json-floor.mjs and
// floor-log-transport.mjs, and the RabbitMQ floors): span and trace ids, a minimal protobuf
// writer for OTLP request bodies, span batches, and their POST. Plain JavaScript, so that a floor
// loads nothing the bare app does not, beyond its own telemetry.
import { randomFillSync } from 'node:crypto';
import { Agent, request } from 'node:http';

const TWO_POW_32 = 2 ** 32;
const HEX = new Uint8Array(128);
for (let digit = 0; digit < 16; digit++) HEX[digit.toString(16).charCodeAt(0)] = digit;

// Ids from a pool of random bytes, refilled when spent.
const pool = Buffer.alloc(24 * 1024);
let poolAt = pool.length;

/** `bytes` random bytes as lower-case hex: 16 for a trace id, 8 for a span id. */
export function randomHex(bytes) {
  if (poolAt + bytes > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += bytes;
  return pool.toString('hex', poolAt - bytes, poolAt);
}

/** Writes into one growing Buffer. Message lengths are three-byte varints, patched at end(). */
export class Writer {
  constructor(size) {
    this.buffer = Buffer.allocUnsafe(size);
    this.pos = 0;
  }

  ensure(size) {
    if (this.pos + size <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.pos + size));
    this.buffer.copy(grown, 0, 0, this.pos);
    this.buffer = grown;
  }

  /** A tag or a varint below 2^31. */
  uint(value) {
    this.ensure(5);
    while (value > 127) {
      this.buffer[this.pos++] = (value & 127) | 128;
      value >>>= 7;
    }
    this.buffer[this.pos++] = value;
  }

  fixed32(value) {
    this.ensure(4);
    this.pos = this.buffer.writeUInt32LE(value, this.pos);
  }

  /** Epoch milliseconds (fractional) as fixed64 nanoseconds, split so that no digit is lost. */
  time(epochMillis) {
    const seconds = Math.floor(epochMillis / 1000);
    const nanos = Math.round((epochMillis - seconds * 1000) * 1e6);
    const low = (seconds % 65536) * 1e9 + nanos; // < 2^53
    const high = Math.floor(seconds / 65536) * 1e9; // times 2^16
    const sum = (low % TWO_POW_32) + (high % 65536) * 65536;
    this.ensure(8);
    this.buffer.writeUInt32LE(sum % TWO_POW_32, this.pos);
    this.buffer.writeUInt32LE(
      Math.floor(low / TWO_POW_32) + Math.floor(high / 65536) + Math.floor(sum / TWO_POW_32),
      this.pos + 4,
    );
    this.pos += 8;
  }

  /** A UTF-8 string; ASCII below 128 characters is copied here, cheaper than a call into C++. */
  string(value) {
    const length = value.length;
    if (length < 128) {
      this.ensure(1 + length);
      const buffer = this.buffer;
      const start = this.pos + 1;
      let i = 0;
      while (i < length && value.charCodeAt(i) < 128) {
        buffer[start + i] = value.charCodeAt(i);
        i++;
      }
      if (i === length) {
        buffer[this.pos] = length;
        this.pos = start + length;
        return;
      }
    }
    const size = Buffer.byteLength(value);
    this.uint(size);
    this.ensure(size);
    this.pos += this.buffer.write(value, this.pos);
  }

  /** A hex id (lower case) as bytes. */
  hexId(hex) {
    const size = hex.length >>> 1;
    this.uint(size);
    this.ensure(size);
    const buffer = this.buffer;
    for (let i = 0; i < size; i++)
      buffer[this.pos++] = (HEX[hex.charCodeAt(2 * i)] << 4) | HEX[hex.charCodeAt(2 * i + 1)];
  }

  raw(bytes) {
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Starts a length-delimited message; end() writes its length. */
  begin() {
    this.ensure(3);
    this.pos += 3;
    return this.pos;
  }

  end(start) {
    const length = this.pos - start; // below 2^21: a three-byte varint, padded
    this.buffer[start - 3] = (length & 127) | 128;
    this.buffer[start - 2] = ((length >>> 7) & 127) | 128;
    this.buffer[start - 1] = length >>> 14;
  }

  bytes() {
    return this.buffer.subarray(0, this.pos);
  }
}

/** KeyValue.key with its tag, encoded once: pass it to keyValue(). */
export function encodedKey(key) {
  const writer = new Writer(key.length * 3 + 8);
  writer.uint(0x0a);
  writer.string(key);
  return Uint8Array.prototype.slice.call(writer.bytes());
}

/** One KeyValue (string, boolean or non-negative integer value) under `tag`; `key` from encodedKey(). */
export function keyValue(writer, tag, key, value) {
  writer.uint(tag);
  const pair = writer.begin();
  writer.raw(key);
  writer.uint(0x12);
  const any = writer.begin();
  if (typeof value === 'number') {
    writer.uint(0x18); // int_value, non-negative here
    writer.uint(value);
  } else if (typeof value === 'boolean') {
    writer.uint(0x10); // bool_value
    writer.uint(value ? 1 : 0);
  } else {
    writer.uint(0x0a); // string_value
    writer.string(String(value));
  }
  writer.end(any);
  writer.end(pair);
}

/**
 * Starts a Span message (ScopeSpans.spans = 2) with its ids (hex; parentSpanId may be
 * undefined); its other fields follow, then `writer.end()` with what this returns.
 */
export function beginSpan(writer, traceId, spanId, parentSpanId) {
  writer.uint(0x12);
  const mark = writer.begin();
  writer.uint(0x0a);
  writer.hexId(traceId);
  writer.uint(0x12);
  writer.hexId(spanId);
  if (parentSpanId) {
    writer.uint(0x22);
    writer.hexId(parentSpanId);
  }
  return mark;
}

/** Encoded spans, posted to `${endpoint}/v1/traces` 512 at a time, and every 5 s. */
export class SpanBatches {
  constructor(endpoint, serviceName) {
    this.url = `${endpoint}/v1/traces`;
    this.serviceName = serviceName;
    /** Where the next span is encoded; call added() once it is. */
    this.writer = new Writer(256 * 1024);
    this.count = 0;
    setInterval(() => this.flush(), 5000).unref();
  }

  added() {
    if (++this.count === 512) this.flush();
  }

  flush() {
    if (this.count === 0) return;
    post(this.url, requestBody(this.serviceName, 'floor', this.writer.bytes()));
    this.writer = new Writer(this.writer.buffer.length);
    this.count = 0;
  }
}

/**
 * Export{Trace,Logs}ServiceRequest around `items` (encoded Span or LogRecord messages, each with
 * its tag): one resource with service.name, one scope. Both messages put these at the same tags.
 */
export function requestBody(serviceName, scopeName, items) {
  const writer = new Writer(items.length + 256);
  writer.uint(0x0a); // resource_spans / resource_logs = 1
  const outer = writer.begin();
  writer.uint(0x0a); // resource = 1
  const resource = writer.begin();
  keyValue(writer, 0x0a, encodedKey('service.name'), serviceName);
  writer.end(resource);
  writer.uint(0x12); // scope_spans / scope_logs = 2
  const scoped = writer.begin();
  writer.uint(0x0a); // scope = 1
  const scope = writer.begin();
  writer.uint(0x0a);
  writer.string(scopeName);
  writer.end(scope);
  writer.raw(items);
  writer.end(scoped);
  writer.end(outer);
  return writer.bytes();
}

const agent = new Agent({ keepAlive: true, maxSockets: 2 });
const inFlight = new Set();

/** POSTs a body; the answer is read and dropped, a failure forgotten (a floor, not a product). */
export function post(url, body) {
  const req = request(url, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
  });
  const done = new Promise((resolve) => {
    req.on('response', (res) => res.resume().on('end', resolve));
    req.on('error', resolve);
  });
  inFlight.add(done);
  done.then(() => inFlight.delete(done));
  req.end(body);
}

/** Resolves once every POST made so far is answered. */
export function posted() {
  return Promise.all(inFlight);
}
