// An OTLP/HTTP receiver for tests: it is what a collector would see from our exporters. It
// reads the bodies of http/json exports, and of http/protobuf log exports (the log transport's
// own encoding, otlp-log-transport.test.ts); this package's fixture services export with
// OTEL_EXPORTER_OTLP_PROTOCOL=http/json, see ServiceProcess. Of every export it records the path
// and content type. It also plays the external "bank" API that fixture services call.
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeLogsRequest } from './otlp-proto.ts';

/** OTLP span kinds (SPAN_KIND_*). */
export const KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  links: Array<{ traceId: string; spanId: string }>;
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
}
export interface ReceivedLog {
  service: string;
  traceId: string;
  spanId: string;
  body: unknown;
  attributes: Record<string, unknown>;
  severityText: string;
  severityNumber: number;
  droppedAttributesCount: number;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
}
interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}
interface OtlpResource {
  resource?: { attributes?: OtlpKeyValue[] };
}

interface TracesPayload {
  resourceSpans?: Array<OtlpResource & { scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }>;
}
interface LogsPayload {
  resourceLogs?: Array<OtlpResource & { scopeLogs?: Array<{ logRecords?: Array<Record<string, unknown>> }> }>;
}

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly logs: ReceivedLog[] = [];
  readonly bankRequests: IncomingHttpHeaders[] = [];
  /** Every OTLP export request, in any encoding. */
  readonly exports: Array<{ path: string; contentType: string }> = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const body = bytes.toString();
        const contentType = request.headers['content-type'] ?? '';
        const json = contentType === 'application/json';
        const protobuf = contentType === 'application/x-protobuf';
        if (request.url === '/v1/traces' || request.url === '/v1/logs') {
          this.exports.push({ path: request.url, contentType });
        }
        if (request.url === '/v1/traces' && json) this.addTraces(JSON.parse(body) as TracesPayload);
        else if (request.url === '/v1/logs' && json) this.addLogs(JSON.parse(body) as LogsPayload);
        else if (request.url === '/v1/logs' && protobuf) this.addLogs(decodeLogsRequest(bytes, false), hexOfBase64);
        else if (request.url === '/charges') this.bankRequests.push(request.headers);
        // An empty body is an empty protobuf message: a valid export response.
        if (contentType === 'application/x-protobuf') response.writeHead(200, { 'content-type': contentType }).end();
        else response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Polls until `read()` returns something truthy, failing after `timeoutMs`. */
  async waitFor<T>(what: string, read: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = read();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private addTraces(payload: TracesPayload): void {
    for (const resourceSpans of payload.resourceSpans ?? []) {
      const service = String(attributes(resourceSpans.resource?.attributes)['service.name']);
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            service,
            traceId: span['traceId'] as string,
            spanId: span['spanId'] as string,
            parentSpanId: (span['parentSpanId'] as string | undefined) ?? '',
            name: span['name'] as string,
            kind: span['kind'] as number,
            attributes: attributes(span['attributes'] as OtlpKeyValue[] | undefined),
            links: ((span['links'] as Array<{ traceId: string; spanId: string }> | undefined) ?? []).map((link) => ({
              traceId: link.traceId,
              spanId: link.spanId,
            })),
            events: ((span['events'] as Array<{ name: string; attributes?: OtlpKeyValue[] }> | undefined) ?? []).map(
              (event) => ({ name: event.name, attributes: attributes(event.attributes) }),
            ),
          });
        }
      }
    }
  }

  /** `id` turns the payload's trace and span ids into hex (protobuf's are bytes, in base64 here). */
  private addLogs(payload: LogsPayload, id: (encoded: string) => string = (hex) => hex): void {
    for (const resourceLogs of payload.resourceLogs ?? []) {
      const service = String(attributes(resourceLogs.resource?.attributes)['service.name']);
      for (const scope of resourceLogs.scopeLogs ?? []) {
        for (const record of scope.logRecords ?? []) {
          this.logs.push({
            service,
            traceId: id((record['traceId'] as string | undefined) ?? ''),
            spanId: id((record['spanId'] as string | undefined) ?? ''),
            body: value(record['body'] as OtlpValue | undefined),
            attributes: attributes(record['attributes'] as OtlpKeyValue[] | undefined),
            severityText: (record['severityText'] as string | undefined) ?? '',
            severityNumber: (record['severityNumber'] as number | undefined) ?? 0,
            droppedAttributesCount: (record['droppedAttributesCount'] as number | undefined) ?? 0,
          });
        }
      }
    }
  }
}

function hexOfBase64(base64: string): string {
  return Buffer.from(base64, 'base64').toString('hex');
}

function attributes(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value: v }) => [key, value(v)]));
}

function value(v: OtlpValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(value);
  if (v.kvlistValue !== undefined) return attributes(v.kvlistValue.values);
  return v.doubleValue;
}
