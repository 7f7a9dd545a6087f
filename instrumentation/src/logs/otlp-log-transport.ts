// A pino transport: runs in pino's worker thread, so converting and exporting log lines
// never costs the application's event loop. Each JSON line becomes an OTLP log record
// whose trace context is the line's trace_id/span_id, which is what Loki's OTLP endpoint
// turns into `trace_id` structured metadata.
//
// With http/protobuf (the default), lines are encoded straight into OTLP batches
// (encoded-log-batches.ts); with the other protocols they go to the SDK's batch processor as
// records (pino-line-record.ts). Either way: no LoggerProvider, and no stream of parsed lines with
// a promise per line (pino-abstract-transport). The worker shares the application's cores, so
// each microsecond here is one the service loses.
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, type ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { parentPort } from 'node:worker_threads';
import { Writable } from 'node:stream';
import { type ProcessorOutcome, processorOutcomeMeterProvider } from '../metrics/processor-outcomes.ts';
import { createLogExporter } from '../otlp-exporters.ts';
import { EncodedLogBatches } from './encoded-log-batches.ts';
import { LOG_OUTCOMES_EVENT, type LogOutcomes, type OtlpLogTransportOptions } from './log-transport-protocol.ts';
import { pinoLineRecord } from './pino-line-record.ts';

const REPORT_INTERVAL_MS = 1000;
// How long the transport's end waits for its last exports. The application waits for it too: a
// process.exit() blocks in pino's exit handler until this worker has closed. Unbounded, a
// collector that refuses connections held the exit for ≈8.5 s (the exporter's retries), one that
// never answers for 10 s (thread-stream's own limit). A healthy collector takes milliseconds.
const LAST_EXPORT_DEADLINE_MS = 2000;
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
  const records = recordsOf(options, (outcome, count) => {
    outcomes[outcome] += count;
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
    records.add(line as Record<string, unknown>);
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
      // Lines still unexported at the deadline are abandoned: the process is ending, and so is
      // the /metrics endpoint that would have counted them.
      withinDeadline(records.shutdown(), LAST_EXPORT_DEADLINE_MS).then(
        () => {
          report();
          done();
        },
        (error: unknown) => done(error as Error),
      );
    },
  });
}

/** Settles as `work` does, or resolves once `ms` have passed. */
function withinDeadline(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Where parsed lines go, and what is exported when the transport ends. */
interface Records {
  add(line: Record<string, unknown>): void;
  shutdown(): Promise<void>;
}

function recordsOf(
  options: OtlpLogTransportOptions,
  count: (outcome: ProcessorOutcome, records: number) => void,
): Records {
  const { target, serviceName, batch } = options;
  if (target.protocol === 'http/protobuf') {
    return new EncodedLogBatches({ target, serviceName, scopeName: SCOPE.name, batch, count });
  }
  const resource = resourceFromAttributes({ 'service.name': serviceName });
  const processor = new BatchLogRecordProcessor({
    exporter: createLogExporter(target),
    ...batch,
    selfObsMeterProvider: processorOutcomeMeterProvider(count),
  });
  return {
    // The processor reads only the ReadableLogRecord fields of what it is given.
    add: (line) => processor.onEmit(pinoLineRecord(line, resource, SCOPE) as unknown as ReadWriteLogRecord),
    shutdown: () => processor.shutdown(),
  };
}
