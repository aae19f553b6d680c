/*
 * The little HTTP layer every emulated upstream shares: a router with
 * `:param` paths, request bodies, and a server wrapper that counts each
 * request per operation and applies the injected faults before the handler
 * runs. Each upstream renders errors in its own format.
 */

import http from 'node:http';
import { AddressInfo } from 'node:net';
import { FaultDecision, FaultInjector, Upstream } from './faults';

/** An error with the status the upstream would answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** One request, as handlers see it. */
export interface Ctx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  params: Record<string, string>;
  body(): Promise<Buffer>;
  json<T = any>(): Promise<T>;
}

export type Handler = (ctx: Ctx) => Promise<void> | void;

/** A request matched to its handler and the operation it counts as. */
export interface Resolved {
  operation: string;
  handler: Handler;
  params?: Record<string, string>;
}

interface Route {
  method: string;
  regex: RegExp;
  keys: string[];
  operation: string;
  handler: Handler;
}

/** Matches method + path to a handler and the operation name it counts as. */
export class Router {
  #routes: Route[] = [];

  /**
   * `path` segments starting with `:` capture one segment; a trailing `*name`
   * captures the rest of the path.
   */
  add(method: string, path: string, operation: string, handler: Handler) {
    const keys: string[] = [];
    const pattern = path
      .split('/')
      .map(seg => {
        if (seg.startsWith(':')) {
          keys.push(seg.slice(1));
          return '([^/]+)';
        }
        if (seg.startsWith('*')) {
          keys.push(seg.slice(1));
          return '(.*)';
        }
        return seg.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.#routes.push({
      method,
      regex: new RegExp(`^${pattern}/?$`),
      keys,
      operation,
      handler,
    });
    return this;
  }

  /** The route for a request, in the shape UpstreamSpec.resolve returns. */
  match(method: string, pathname: string): Resolved | undefined {
    for (const route of this.#routes) {
      if (route.method !== method && route.method !== '*') continue;
      const m = route.regex.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => {
        params[k] = decodeURIComponent(m[i + 1]);
      });
      return { operation: route.operation, handler: route.handler, params };
    }
    return undefined;
  }
}

/** Reads a request body once; later calls return the same bytes. */
export function bodyReader(req: http.IncomingMessage): () => Promise<Buffer> {
  let body: Promise<Buffer> | undefined;
  return () =>
    (body ??= new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    }));
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** How one upstream looks on the wire. */
export interface UpstreamSpec {
  upstream: Upstream;
  faults: FaultInjector;
  /** Finds the handler and the operation name for a request. */
  resolve(
    req: http.IncomingMessage,
    url: URL,
    body: () => Promise<Buffer>,
  ): Promise<Resolved | undefined> | Resolved | undefined;
  /** Writes an error in the upstream's own format. */
  renderError(ctx: Ctx, err: HttpError): void;
  /** Writes an injected fault (error status or AWS throttling). */
  renderFault?(
    ctx: Ctx,
    decision: Exclude<FaultDecision, { kind: 'pass' }>,
  ): void;
  /** Rejects unauthenticated requests by throwing HttpError(401). */
  authenticate?(ctx: Ctx, operation: string): void | Promise<void>;
  onError?(err: unknown): void;
}

/** An HTTP server for one upstream, listening on 127.0.0.1 only. */
export function createUpstreamServer(spec: UpstreamSpec): http.Server {
  return http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = bodyReader(req);
    const ctx: Ctx = {
      req,
      res,
      url,
      params: {},
      body,
      json: async () => {
        const b = await body();
        if (b.length === 0) return {};
        try {
          return JSON.parse(b.toString('utf8'));
        } catch {
          throw new HttpError(400, 'Problems parsing JSON');
        }
      },
    };
    try {
      const found = await spec.resolve(req, url, body);
      if (!found) {
        spec.faults.count(
          spec.upstream,
          `unknown ${req.method} ${url.pathname}`,
          'GET',
        );
        throw new HttpError(404, 'Not Found');
      }
      spec.faults.count(spec.upstream, found.operation, req.method);
      ctx.params = found.params ?? {};
      const decision = await spec.faults.apply(spec.upstream, found.operation);
      if (decision.kind !== 'pass') {
        if (spec.renderFault) {
          spec.renderFault(ctx, decision);
        } else {
          const status = decision.kind === 'error' ? decision.status : 429;
          spec.renderError(
            ctx,
            new HttpError(status, `injected fault: ${status}`),
          );
        }
        return;
      }
      await spec.authenticate?.(ctx, found.operation);
      await found.handler(ctx);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof HttpError) {
        spec.renderError(ctx, e);
      } else {
        spec.onError?.(e);
        spec.renderError(
          ctx,
          new HttpError(500, 'internal error in the sandbox'),
        );
      }
    }
  });
}

/** Listens on 127.0.0.1 (never another interface) and returns the port. */
export function listenLoopback(
  server: http.Server,
  port: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise(resolve => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}
