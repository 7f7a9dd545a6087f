// A pino transport: runs in pino's worker thread, so converting and exporting log lines
// never costs the application's event loop. Each JSON line becomes an OTLP log record
// whose trace context is the line's trace_id/span_id, which is what Loki's OTLP endpoint
// turns into `trace_id` structured metadata.
//
// Lines go straight to the SDK's batch processor as records (pino-line-record.ts): no
// LoggerProvider, and no stream of parsed lines with a promise per line (pino-abstract-transport).
// The worker shares the application's cores, so each microsecond here is one the service loses.
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, type ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { parentPort } from 'node:worker_threads';
import { Writable } from 'node:stream';
import { processorOutcomeMeterProvider } from '../metrics/processor-outcomes.ts';
import { createLogExporter } from '../otlp-exporters.ts';
import { LOG_OUTCOMES_EVENT, type LogOutcomes, type OtlpLogTransportOptions } from './log-transport-protocol.ts';
import { pinoLineRecord } from './pino-line-record.ts';

const REPORT_INTERVAL_MS = 1000;
const SCOPE = { name: '@hopscope/instrumentation' };

export default function otlpLogTransport(options: OtlpLogTransportOptions): Writable {
  let outcomes: LogOutcomes = { exported: 0, dropped: 0, failed: 0 };
  const report = () => {
    if (outcomes.exported + outcomes.dropped + outcomes.failed === 0) return;
    // thread-stream re-emits {code: 'EVENT'} messages as events on the main-thread stream.
    parentPort?.postMessage({ code: 'EVENT', name: LOG_OUTCOMES_EVENT, args: [outcomes] });
    outcomes = { exported: 0, dropped: 0, failed: 0 };
  };
  const timer = setInterval(report, REPORT_INTERVAL_MS).unref();
  const resource = resourceFromAttributes({ 'service.name': options.serviceName });
  const processor = new BatchLogRecordProcessor({
    exporter: createLogExporter(options.target),
    ...options.batch,
    selfObsMeterProvider: processorOutcomeMeterProvider((outcome, count) => {
      outcomes[outcome] += count;
    }),
  });

  const emit = (text: string) => {
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch {
      line = undefined;
    }
    if (line === null || typeof line !== 'object') {
      // Not a pino line (nothing else writes here): counted, never thrown into the worker.
      if (text.trim() !== '') outcomes.dropped++;
      return;
    }
    // The processor reads only the ReadableLogRecord fields of what it is given.
    processor.onEmit(pinoLineRecord(line as Record<string, unknown>, resource, SCOPE) as unknown as ReadWriteLogRecord);
  };

  // thread-stream hands over whatever the shared buffer held: a chunk can end mid-line.
  let partial = '';
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      const text = partial + String(chunk);
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        emit(text.slice(start, end));
        start = end + 1;
      }
      partial = text.slice(start);
      done();
    },
    final(done) {
      if (partial !== '') emit(partial);
      partial = '';
      clearInterval(timer);
      processor.shutdown().then(
        () => {
          report();
          done();
        },
        (error: unknown) => done(error as Error),
      );
    },
  });
}
