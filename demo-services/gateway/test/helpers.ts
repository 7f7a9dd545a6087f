// What the gateway's tests share: the gateway started in-process against given upstreams,
// small HTTP stand-ins for services that do not exist yet or that must misbehave on purpose,
// and signing in.
import { type RunningService, startService } from '@hopscope/demo-shared';
import { testEnv } from '@hopscope/demo-shared/testing';
import express, { type RequestHandler } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gateway } from '../src/app.ts';

/** An address where nothing listens (the upstream is down). */
export const NOWHERE = 'http://127.0.0.1:9';

export interface Upstreams {
  orders?: string;
  orderView?: string;
  inventory?: string;
  shipping?: string;
}

export async function startGateway(
  ns: string,
  upstreams: Upstreams,
  extra: Record<string, string> = {},
): Promise<RunningService> {
  const service = await startService(
    gateway,
    testEnv(ns, {
      ORDERS_URL: upstreams.orders ?? NOWHERE,
      ORDER_VIEW_URL: upstreams.orderView ?? NOWHERE,
      INVENTORY_URL: upstreams.inventory ?? NOWHERE,
      SHIPPING_URL: upstreams.shipping ?? NOWHERE,
      ...extra,
    }),
  );
  await service.ready;
  return service;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface StubServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A stand-in HTTP service on a free port that records every request it gets. */
export async function stubServer(routes: (app: express.Express) => void): Promise<StubServer> {
  const app = express();
  const requests: RecordedRequest[] = [];
  app.use(express.json());
  const record: RequestHandler = (req, _res, next) => {
    requests.push({ method: req.method, path: req.originalUrl, headers: req.headers, body: req.body as unknown });
    next();
  };
  app.use(record);
  routes(app);
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function signIn(gatewayUrl: string, username: string): Promise<string> {
  const response = await fetch(`${gatewayUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  if (response.status !== 200) throw new Error(`sign-in as ${username}: ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** One request to the gateway, JSON in and out. */
export async function call(
  url: string,
  options: { method?: string; token?: string; headers?: Record<string, string>; body?: unknown; rawBody?: string } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(url, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** The `error` object of a JSON error answer. */
export function errorOf(response: JsonResponse): { code: string; message: string; field?: string } {
  return response.body['error'] as { code: string; message: string; field?: string };
}
