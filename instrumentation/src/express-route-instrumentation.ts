// The matched express route for the SERVER span (`http.route`, its name, the RED metrics'
// `http_route`), without a span or a wrapper per middleware: express 5's router is patched
// where a route is dispatched (once per routed request) and where a router is mounted on a path
// with parameters (at setup). The route is taken when the route is dispatched, so a handler that
// fails and leaves its routers still names it.
import { trace } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import type { IncomingMessage } from 'node:http';

const VERSION = '0.1.0';

const ROUTE = Symbol('hopscope.express.route');
const MOUNT = Symbol('hopscope.express.mount');

type RoutePath = string | RegExp | Array<string | RegExp>;
type Handler = (this: unknown, ...args: unknown[]) => unknown;

interface Layer {
  handle: Handler;
}
interface RouterPrototype {
  use: (this: { stack: Layer[] }, ...args: unknown[]) => unknown;
}
interface RoutePrototype {
  dispatch: (this: { path: RoutePath }, req: ExpressRequest, ...rest: unknown[]) => unknown;
}
interface RouterModule {
  prototype: RouterPrototype;
  Route: { prototype: RoutePrototype };
}

/** A router mounted on a path with parameters: its pattern, and the path it matched here. */
interface Mount {
  actual: string;
  pattern: string;
}

interface ExpressRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: RoutePath };
  [ROUTE]?: string;
  [MOUNT]?: Mount;
}

export class ExpressRouteInstrumentation extends InstrumentationBase {
  constructor() {
    super('@hopscope/instrumentation-express-route', VERSION, {});
  }

  protected init() {
    return [
      // Nothing of express itself is patched; loading it is what the startup line reports.
      new InstrumentationNodeModuleDefinition('express', ['>=4 <6'], (exports: unknown) => exports),
      // express 5's router. express 4 keeps its own: its route is read at the response instead.
      new InstrumentationNodeModuleDefinition(
        'router',
        ['>=2 <3'],
        (exports: RouterModule) => {
          const route = exports.Route.prototype;
          if (!isWrapped(route.dispatch)) this._wrap(route, 'dispatch', recordRoute);
          if (!isWrapped(exports.prototype.use)) this._wrap(exports.prototype, 'use', trackParameterMounts);
          return exports;
        },
        (exports?: RouterModule) => {
          if (exports && isWrapped(exports.Route.prototype.dispatch)) this._unwrap(exports.Route.prototype, 'dispatch');
          if (exports && isWrapped(exports.prototype.use)) this._unwrap(exports.prototype, 'use');
        },
      ),
    ];
  }
}

/** The route the request matched (`/orders/:id`, mount paths included), if express routed it. */
export function expressRouteOf(request: IncomingMessage): string | undefined {
  const req = request as ExpressRequest;
  if (req[ROUTE] !== undefined) return req[ROUTE];
  const path = req.route?.path;
  return path === undefined ? undefined : joinRoute(mountPattern(req), path);
}

function recordRoute(dispatch: RoutePrototype['dispatch']): RoutePrototype['dispatch'] {
  return function (this: { path: RoutePath }, req, res, done) {
    req[ROUTE] = joinRoute(mountPattern(req), this.path);
    // The request's span (the SERVER span: no layer spans here). An error the route's handlers
    // pass on leaves the route through `done`: recorded there, with its stack, as an exception
    // event; the status the response ends with decides whether the span is an error.
    const span = trace.getActiveSpan();
    if (span === undefined || typeof done !== 'function') return dispatch.call(this, req, res, done);
    return dispatch.call(this, req, res, (error?: unknown) => {
      if (error instanceof Error) span.recordException(error);
      (done as (error?: unknown) => void)(error);
    });
  };
}

function joinRoute(mount: string, path: RoutePath): string {
  const text = Array.isArray(path) ? path.map(String).join(',') : String(path);
  return mount !== '' && text === '/' ? mount : mount + text;
}

/** The request's base URL as patterns: a mount's parameters as `:name`, not their values. */
function mountPattern(req: ExpressRequest): string {
  return patternOf(req.baseUrl ?? '', req[MOUNT]);
}

function patternOf(baseUrl: string, mount: Mount | undefined): string {
  return mount !== undefined && baseUrl.startsWith(mount.actual)
    ? mount.pattern + baseUrl.slice(mount.actual.length)
    : baseUrl;
}

// A router mounted on a literal path shows it in req.baseUrl as is. One mounted on a path with
// parameters shows their values there, which would make a route (and a metric series) per
// value: the mounted handler is wrapped, once at setup, to record the pattern while it runs.
function trackParameterMounts(use: RouterPrototype['use']): RouterPrototype['use'] {
  return function (this: { stack: Layer[] }, ...args) {
    const before = this.stack.length;
    const result = use.apply(this, args);
    const path = mountPathOf(args);
    if (path !== undefined && !isLiteral(path)) {
      for (const layer of this.stack.slice(before)) layer.handle = trackMount(layer.handle, path);
    }
    return result;
  };
}

/** The path argument of `use([path,] ...handlers)`, as the router reads it. */
function mountPathOf(args: unknown[]): RoutePath | undefined {
  let first = args[0];
  while (Array.isArray(first) && first.length > 0) first = first[0];
  return typeof first === 'function' ? undefined : (args[0] as RoutePath);
}

function isLiteral(path: RoutePath): boolean {
  return typeof path === 'string' && !/[:*?(){}]/.test(path);
}

function trackMount(handle: Handler, path: RoutePath): Handler {
  // Error handlers (four parameters) hold no routes; the router tells them apart by arity.
  if (handle.length > 3) return handle;
  const tracked = function (this: unknown, req: unknown, res: unknown, next: unknown) {
    const request = req as ExpressRequest;
    const outer = request[MOUNT];
    request[MOUNT] = mountOf(request, path);
    return handle.call(this, req, res, (error?: unknown) => {
      request[MOUNT] = outer;
      (next as (error?: unknown) => void)(error);
    });
  };
  // A mounted router is read through its handle (its stack, its name): keep those visible.
  Object.setPrototypeOf(tracked, handle);
  return tracked;
}

function mountOf(req: ExpressRequest, path: RoutePath): Mount {
  const actual = req.baseUrl ?? '';
  const outer = req[MOUNT];
  const pattern = typeof path === 'string' ? path.replace(/\/+$/, '') : String(path);
  // A string pattern of plain segments and parameters matches as many path segments as it
  // has: what comes before them is the enclosing routers' part of the base URL.
  if (typeof path !== 'string' || /[*?(){}]/.test(path)) {
    return { actual, pattern: (outer !== undefined && actual.startsWith(outer.actual) ? outer.pattern : '') + pattern };
  }
  const parts = actual.split('/');
  const parent = parts.slice(0, Math.max(1, parts.length - (pattern.split('/').length - 1))).join('/');
  return { actual, pattern: patternOf(parent, outer) + pattern };
}
