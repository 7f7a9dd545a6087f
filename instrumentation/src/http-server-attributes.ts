// The SERVER span's attributes, from the stable HTTP semantic conventions, read straight off the
// request: no URL object, no header parsing beyond the Host and forwarding headers.
import type { Attributes } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';

// The methods the conventions name; any other is `_OTHER`, with the original kept beside it.
const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'QUERY',
]);

// Query parameters that carry credentials in signed URLs (the list instrumentation-http
// redacts by default): their values never reach a span.
const REDACTED_QUERY_PARAMS = [
  'sig',
  'Signature',
  'AWSAccessKeyId',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
];
const MAY_HOLD_REDACTED = new RegExp(REDACTED_QUERY_PARAMS.map((name) => `(^|&)${name}=`).join('|'));

/** The method as the conventions name it: upper case if known, else `_OTHER`. */
export function normalizedMethod(method: string | undefined): string {
  if (method === undefined) return 'GET';
  if (KNOWN_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

/** `method`: the request's, normalized (normalizedMethod). */
export function serverRequestAttributes(
  request: IncomingMessage,
  scheme: 'http' | 'https',
  method: string,
): Attributes {
  const { headers, socket } = request;
  const target = request.url ?? '/';
  const queryAt = target.indexOf('?');
  const attributes: Attributes = {
    'http.request.method': method,
    'url.scheme': scheme,
    'url.path': queryAt === -1 ? target : target.slice(0, queryAt),
    'network.protocol.version': request.httpVersion,
    'network.peer.address': socket?.remoteAddress,
    'network.peer.port': socket?.remotePort,
    'client.address': clientAddress(request),
    'user_agent.original': headers['user-agent'],
  };
  if (queryAt !== -1 && queryAt < target.length - 1) attributes['url.query'] = redactedQuery(target.slice(queryAt + 1));
  if (method !== request.method && request.method !== undefined)
    attributes['http.request.method_original'] = request.method;
  const host = serverHost(request);
  if (host !== undefined) {
    const [address, port] = splitHostPort(host);
    attributes['server.address'] = address;
    if (port !== undefined) attributes['server.port'] = port;
  }
  return attributes;
}

function redactedQuery(query: string): string {
  if (!MAY_HOLD_REDACTED.test(query)) return query;
  const params = new URLSearchParams(query);
  for (const name of REDACTED_QUERY_PARAMS) if (params.has(name)) params.set(name, 'REDACTED');
  return params.toString();
}

/** The host the client asked for: a proxy's forwarded host first, then the Host header. */
function serverHost(request: IncomingMessage): string | undefined {
  const { headers } = request;
  const forwarded = headers.forwarded === undefined ? undefined : forwardedParam(headers.forwarded, 'host');
  if (forwarded) return forwarded;
  const forwardedHost = firstValue(headers['x-forwarded-host']);
  if (forwardedHost) return forwardedHost;
  return headers.host || undefined;
}

/** The original client: a proxy's forwarded-for first, then the peer. */
function clientAddress(request: IncomingMessage): string | undefined {
  const { headers } = request;
  const forwarded = headers.forwarded === undefined ? undefined : forwardedParam(headers.forwarded, 'for');
  if (forwarded) return withoutPort(forwarded);
  const forwardedFor = firstValue(headers['x-forwarded-for']);
  if (forwardedFor) return withoutPort(forwardedFor);
  return request.socket?.remoteAddress;
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(',')[0]!.trim() || undefined;
}

/** A parameter of the first element of an RFC 7239 `Forwarded` header, unquoted. */
function forwardedParam(header: string, name: 'host' | 'for'): string | undefined {
  for (const pair of header.split(',')[0].split(';')) {
    const at = pair.indexOf('=');
    if (at === -1 || pair.slice(0, at).trim().toLowerCase() !== name) continue;
    const value = pair.slice(at + 1).trim();
    return value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  }
  return undefined;
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`. */
function splitHostPort(host: string): [string, number | undefined] {
  const close = host.startsWith('[') ? host.indexOf(']') : -1;
  const colon = host.lastIndexOf(':');
  if (close !== -1) {
    const port = colon > close ? Number(host.slice(colon + 1)) : undefined;
    return [host.slice(1, close), Number.isInteger(port) ? port : undefined];
  }
  if (colon === -1 || host.indexOf(':') !== colon) return [host, undefined];
  const port = Number(host.slice(colon + 1));
  return [host.slice(0, colon), Number.isInteger(port) ? port : undefined];
}

function withoutPort(address: string): string {
  const [host] = splitHostPort(address);
  return host;
}
