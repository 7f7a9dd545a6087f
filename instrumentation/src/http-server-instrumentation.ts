// The SERVER span of every incoming HTTP request, lean: one wrapper around the server's
// `request` event, the stable semantic-convention attributes read straight off the request, the
// route taken at the end from express (express-route-instrumentation.ts), and no other work on
// the request path. instrumentation-http still makes the CLIENT spans; its server side costs
// about twice as much per request (a URL object per request, forwarded-header parsing, event
// emitters re-bound to the context, OpenTelemetry's own HTTP metrics).
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  context,
  diag,
  propagation,
  trace,
} from '@opentelemetry/api';
import { RPCType, type RPCMetadata, setRPCMetadata, suppressTracing } from '@opentelemetry/core';
import {
  type InstrumentationConfig,
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  isWrapped,
} from '@opentelemetry/instrumentation';
import { errorMonitor } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { expressRouteOf } from './express-route-instrumentation.ts';
import { recordServerSpan } from './http-boundary.ts';
import { normalizedMethod, serverRequestAttributes } from './http-server-attributes.ts';
import { isScrapeRequest } from './metrics/scrape-requests.ts';
import { safely } from './safely.ts';
import { setAttributes } from './sdk-span-attributes.ts';
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from './semconv.ts';

const VERSION = '0.1.0';

type Scheme = 'http' | 'https';
type Emit = (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
interface ServerModule {
  Server: { prototype: { emit: Emit } };
}

export interface HttpServerInstrumentationConfig extends InstrumentationConfig {
  /** instrumentation-express makes the layer spans and names the route, through RPC metadata. */
  expressLayerSpans?: boolean;
}

export class HttpServerInstrumentation extends InstrumentationBase<HttpServerInstrumentationConfig> {
  constructor(config: HttpServerInstrumentationConfig = {}) {
    super('@hopscope/instrumentation-http-server', VERSION, config);
  }

  protected init() {
    return (['http', 'https'] as const).map(
      (scheme) =>
        new InstrumentationNodeModuleDefinition(
          scheme,
          ['*'],
          (exports: ServerModule) => {
            // Patched once however it is loaded: require, import, or both.
            const prototype = exports.Server.prototype;
            if (!isWrapped(prototype.emit)) this._wrap(prototype, 'emit', (emit) => this.tracedEmit(emit, scheme));
            return exports;
          },
          (exports?: ServerModule) => {
            if (exports && isWrapped(exports.Server.prototype.emit)) this._unwrap(exports.Server.prototype, 'emit');
          },
        ),
    );
  }

  private tracedEmit(original: Emit, scheme: Scheme): Emit {
    const start = (request: IncomingMessage, response: ServerResponse) =>
      this.startServerSpan(request, response, scheme);
    return function emit(this: Server, event: string | symbol): boolean {
      // eslint-disable-next-line prefer-rest-params -- every server event passes here: no array per call
      if (event !== 'request') return original.apply(this, arguments as unknown as Parameters<Emit>);
      // eslint-disable-next-line prefer-rest-params
      const request = arguments[1] as IncomingMessage;
      // eslint-disable-next-line prefer-rest-params
      const response = arguments[2] as ServerResponse;
      // Prometheus scrapes are not traffic: no span, and none for what they call.
      if (isScrapeRequest(request)) {
        return context.with(suppressTracing(context.active()), original, this, event, request, response);
      }
      let started: Context;
      try {
        started = start(request, response);
      } catch (error) {
        // Telemetry never fails a request: it is served untraced.
        diag.warn('hopscope: the SERVER span could not be started; the request is served untraced', error);
        return original.call(this, event, request, response);
      }
      try {
        return context.with(started, original, this, event, request, response);
      } catch (error) {
        failed(trace.getSpan(started)!, error);
        throw error;
      }
    };
  }

  private startServerSpan(request: IncomingMessage, response: ServerResponse, scheme: Scheme): Context {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const method = normalizedMethod(request.method);
    const span = this.tracer.startSpan(method === '_OTHER' ? 'HTTP' : method, { kind: SpanKind.SERVER }, parent);
    // Written once the span exists rather than passed to startSpan(), which checks each value
    // twice (sdk-span-attributes.ts). Nothing looks at them in between: the package's samplers
    // decide on the trace id and the parent, and its processors read attributes at the end.
    setAttributes(span, serverRequestAttributes(request, scheme, method));
    recordServerSpan(span, request);
    // instrumentation-express (HOPSCOPE_EXPRESS_LAYER_SPANS=true) writes the route here.
    const rpc: RPCMetadata | undefined = this.getConfig().expressLayerSpans ? { type: RPCType.HTTP, span } : undefined;
    const active = rpc ? setRPCMetadata(trace.setSpan(parent, span), rpc) : trace.setSpan(parent, span);
    // A body arrives in socket reads, outside the request's context: its listeners (body
    // parsers, and the handlers they call) are bound to it. A response's events follow the
    // writes made in the request's context, so they need no binding.
    if (mayHaveBody(request)) context.bind(active, request);
    // Whichever comes first ends the span; an ended span no longer records, so the rest is a no-op.
    response.on(errorMonitor, (error: unknown) => safely('SERVER span', () => failed(span, error)));
    response.on('close', () =>
      safely('SERVER span', () => {
        endServerSpan(span, method, request, response, rpc);
        rearmKeepAliveFromRoot(request, response);
      }),
    );
    return active;
  }
}

function mayHaveBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

function endServerSpan(
  span: Span,
  method: string,
  request: IncomingMessage,
  response: ServerResponse,
  rpc: RPCMetadata | undefined,
): void {
  if (!span.isRecording()) return;
  const status = response.statusCode;
  const attributes: Attributes = { [ATTR_HTTP_RESPONSE_STATUS_CODE]: status };
  const route = rpc?.route ?? expressRouteOf(request);
  if (route !== undefined) {
    attributes[ATTR_HTTP_ROUTE] = route;
    span.updateName(`${method === '_OTHER' ? 'HTTP' : method} ${route}`);
  }
  // Server spans are errors from 500 on (a 4xx is the client's).
  if (status >= 500) {
    attributes[ATTR_ERROR_TYPE] = String(status);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  setAttributes(span, attributes);
  span.end();
}

// Node arms a kept-alive connection's idle timer as the response finishes, in the request's
// context: the timer keeps that context, and with it this span and its attributes, until the
// next request on the connection. Under load that is one span per connection alive at every
// scavenge (most of the ≈100 KB that survived each one with the bench's 50 connections). Armed
// again from the root context, the same timeout keeps nothing of the request.
function rearmKeepAliveFromRoot(request: IncomingMessage, response: ServerResponse): void {
  const socket = request.socket;
  const timeout = socket.timeout ?? 0;
  if (!response.shouldKeepAlive || socket.destroyed || timeout <= 0) return;
  context.with(ROOT_CONTEXT, () => socket.setTimeout(timeout));
}

function failed(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const cause = error instanceof Error ? error : new Error(String(error));
  span.setAttribute(ATTR_ERROR_TYPE, cause.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: cause.message });
  span.recordException(cause);
  span.end();
}
