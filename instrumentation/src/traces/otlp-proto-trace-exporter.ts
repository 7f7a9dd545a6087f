// The http/protobuf span exporter: upstream's exporter machinery (retries, timeouts, the
// concurrency limit, headers, compression, self-observability metrics) with our span
// serializer (otlp-span-serializer.ts) in place of otlp-transformer's, which costs several
// times more main-thread time per span. Built as exporter-trace-otlp-proto's OTLPTraceExporter is.
import type { ExportResult } from '@opentelemetry/core';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import {
  type OTLPExporterNodeConfigBase,
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer, TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { OtlpSpanSerializer } from './otlp-span-serializer.ts';

// The component type exporter-trace-otlp-proto reports in its self-observability metrics.
const COMPONENT_TYPE = 'otlp_http_span_exporter';

export class OtlpProtoTraceExporter extends OTLPExporterBase<ReadableSpan[]> {
  private readonly spans: OtlpSpanSerializer;
  // The body the delegate had serialized in the export() under way (it serializes synchronously).
  private lastBody: Uint8Array | undefined;

  constructor(config: OTLPExporterNodeConfigBase = {}) {
    const spans = new OtlpSpanSerializer();
    const serializer = {
      serializeRequest: (items: ReadableSpan[]) => (this.lastBody = spans.serialize(items)),
      // Responses (partial success) are decoded as upstream does.
      deserializeResponse: (data: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(data),
    };
    super(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
        serializer,
        COMPONENT_TYPE,
        TraceExporterMetricsHelper,
        config.selfObsMeterProvider,
      ),
    );
    this.spans = spans;
  }

  /** Exports as upstream does; once the export is done with its body, its buffer serves the next. */
  override export(items: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.lastBody = undefined;
    const lent: { body?: Uint8Array; done?: boolean } = {};
    super.export(items, (result) => {
      lent.done = true;
      if (lent.body) this.spans.release(lent.body);
      resultCallback(result);
    });
    lent.body = this.lastBody;
    this.lastBody = undefined;
    // Reported at once (nothing sent): the body, if any, is free already. Otherwise the result
    // comes once the body was sent, or the request abandoned (timeout) or answered before all of
    // it was written (a collector's error): only that request's unsent bytes can change then.
    if (lent.done && lent.body) this.spans.release(lent.body);
  }
}
