// The floor stage's log shipping (express-json-floor.mjs): pino's worker thread turns each JSON
// line straight into an OTLP LogRecord, with no record object in between, and posts 512 at a time.
import { Writable } from 'node:stream';
import { Writer, encodedKey, keyValue, post, posted, requestBody } from './floor-otlp.mjs';

const BATCH = 512;
const OWN_FIELDS = new Set([
  'level',
  'time',
  'msg',
  'trace_id',
  'span_id',
  'trace_flags',
  'pid',
  'hostname',
  'service_name',
]);

export default function floorLogTransport({ url, serviceName }) {
  const keys = new Map(); // attribute keys, encoded once (a bench line has one)
  let records = new Writer(128 * 1024);
  let count = 0;
  const flush = () => {
    if (count === 0) return;
    post(url, requestBody(serviceName, 'floor', records.bytes()));
    records = new Writer(records.buffer.length);
    count = 0;
  };
  const timer = setInterval(flush, 1000);
  const encode = (text) => {
    let line;
    try {
      line = JSON.parse(text);
    } catch {
      return;
    }
    const w = records;
    w.uint(0x12); // ScopeLogs.log_records = 2
    const mark = w.begin();
    w.uint(0x09);
    w.time(line.time);
    w.uint(0x10);
    w.uint(9); // SEVERITY_NUMBER_INFO
    w.uint(0x1a);
    w.string('info');
    w.uint(0x2a); // body = 5
    const body = w.begin();
    w.uint(0x0a);
    w.string(line.msg ?? '');
    w.end(body);
    for (const key in line) {
      if (OWN_FIELDS.has(key)) continue;
      let encoded = keys.get(key);
      if (!encoded) keys.set(key, (encoded = encodedKey(key)));
      keyValue(w, 0x32, encoded, line[key]);
    }
    if (line.trace_id) {
      w.uint(0x45);
      w.fixed32(1);
      w.uint(0x4a);
      w.hexId(line.trace_id);
      w.uint(0x52);
      w.hexId(line.span_id);
    }
    w.uint(0x59);
    w.time(Date.now());
    w.end(mark);
    if (++count === BATCH) flush();
  };
  let partial = '';
  return new Writable({
    decodeStrings: false,
    write(chunk, _encoding, done) {
      const text = partial + String(chunk);
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        encode(text.slice(start, end));
        start = end + 1;
      }
      partial = text.slice(start);
      done();
    },
    final(done) {
      clearInterval(timer);
      flush();
      posted().then(() => done());
    },
  });
}
