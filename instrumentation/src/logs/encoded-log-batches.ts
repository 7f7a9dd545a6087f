// The http/protobuf log transport's batching and export: lines are encoded as they arrive
// (pino-line-encoder.ts) and each batch is sent through upstream's OTLP/HTTP export delegate
// (its retries, timeout, concurrency limit, headers and compression, from the same OTEL_*
// variables), batched as BatchLogRecordProcessor batches: a batch at maxExportBatchSize records
// or scheduledDelayMillis after its first, one export at a time, given up after
// exportTimeoutMillis, at most maxQueueSize records waiting, past which lines are dropped and
// counted. Records, the SDK's batch processor and otlp-transformer's serializer cost twice as
// much: in the bench's full stage, on one core, log export took ≈11.6 µs of CPU a request
// through them, ≈5.6 µs this way (5 alternating rounds; the worker itself 4.6 → 3.5 µs, the
// main thread, which shares its core and caches, 53.8 → 49.8 µs).
import { ExportResultCode } from '@opentelemetry/core';
import type * as NodeHttp from '@opentelemetry/otlp-exporter-base/node-http';
import type { BatchConfig, OtlpTarget } from '../config.ts';
import { importNow } from '../import-now.ts';
import type { ProcessorOutcome } from '../metrics/processor-outcomes.ts';
import { otlpHttpOptions } from '../otlp-exporters.ts';
import { PinoLineEncoder } from './pino-line-encoder.ts';

/** The component type exporter-logs-otlp-proto reports in its self-observability metrics. */
const COMPONENT_TYPE = 'otlp_http_log_exporter';

interface Batch {
  body: Uint8Array;
  count: number;
}

type Delegate = ReturnType<typeof NodeHttp.createOtlpHttpExportDelegate<Batch, unknown>>;

const SERIALIZER = {
  serializeRequest: (batch: Batch) => batch.body,
  // Not decoded: a partial success would only reach diag, which nothing reads in this thread.
  deserializeResponse: () => ({}),
};
const METRICS_HELPER = { name: 'log' as const, countItems: (batch: Batch) => batch.count };

export interface EncodedLogBatchesOptions {
  target: OtlpTarget;
  serviceName: string;
  scopeName: string;
  batch: BatchConfig;
  /** Called with every record's outcome, as the batch processor's self-observability counts them. */
  count: (outcome: ProcessorOutcome, records: number) => void;
}

export class EncodedLogBatches {
  private readonly encoder: PinoLineEncoder;
  private readonly sealed: Batch[] = [];
  private sealedCount = 0;
  private exporting: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delegate: Delegate | undefined;
  private readonly options: EncodedLogBatchesOptions;

  constructor(options: EncodedLogBatchesOptions) {
    this.options = options;
    this.encoder = new PinoLineEncoder(options.serviceName, options.scopeName);
  }

  /** Encodes one parsed pino line into the batch under way; drops it when the queue is full or it cannot be encoded. */
  add(line: Record<string, unknown>): void {
    const { maxQueueSize, maxExportBatchSize, scheduledDelayMillis } = this.options.batch;
    if (this.sealedCount + this.encoder.count >= maxQueueSize) {
      this.options.count('dropped', 1);
      return;
    }
    if (!this.encoder.add(line)) {
      this.options.count('dropped', 1);
      return;
    }
    if (this.encoder.count >= maxExportBatchSize) this.seal();
    else this.timer ??= setTimeout(() => this.seal(), scheduledDelayMillis).unref();
  }

  /** Exports every record added so far; resolves once each export is done. */
  async flush(): Promise<void> {
    this.seal();
    while (this.exporting) await this.exporting;
  }

  async shutdown(): Promise<void> {
    await this.flush();
    await this.delegate?.shutdown();
  }

  /** Ends the batch under way and queues it for export. */
  private seal(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const count = this.encoder.count;
    const body = this.encoder.take();
    if (body) {
      this.sealed.push({ body, count });
      this.sealedCount += count;
    }
    this.exportNext();
  }

  private exportNext(): void {
    if (this.exporting) return;
    const batch = this.sealed.shift();
    if (!batch) return;
    this.sealedCount -= batch.count;
    this.exporting = new Promise<void>((done) => {
      // As the batch processor: an export that has not answered within exportTimeoutMillis has
      // failed, and the next batch goes (the delegate bounds the requests still in flight).
      const timeout = setTimeout(() => finish(false), this.options.batch.exportTimeoutMillis).unref();
      let finished = false;
      const finish = (succeeded: boolean) => {
        if (finished) return;
        finished = true;
        clearTimeout(timeout);
        this.options.count(succeeded ? 'exported' : 'failed', batch.count);
        done();
      };
      this.export(batch, finish);
    }).then(() => {
      this.exporting = undefined;
      this.exportNext();
    });
  }

  private export(batch: Batch, done: (succeeded: boolean) => void): void {
    try {
      // Loaded with the first export, as the exporters are (otlp-exporters.ts).
      this.delegate ??= this.createDelegate();
      this.delegate.export(batch, (result) => done(result.code === ExportResultCode.SUCCESS));
    } catch {
      done(false); // counted as failed, never thrown into the worker
    }
  }

  private createDelegate(): Delegate {
    const { createOtlpHttpExportDelegate, convertLegacyHttpOptions } = importNow<typeof NodeHttp>(
      '@opentelemetry/otlp-exporter-base/node-http',
    );
    const options = convertLegacyHttpOptions(otlpHttpOptions(this.options.target), 'LOGS', 'v1/logs', {
      'Content-Type': 'application/x-protobuf',
    });
    return createOtlpHttpExportDelegate(options, SERIALIZER, COMPONENT_TYPE, METRICS_HELPER, undefined);
  }
}
