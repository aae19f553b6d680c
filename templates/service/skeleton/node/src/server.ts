// The HTTP service: routes, request ids, access log, readiness and graceful
// shutdown. main.ts wires it to the process (PORT, signals).
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Logger, requestContext } from './log.js';

export const DEFAULT_PORT = ${{ values.port }};
export const MAX_NAME_LENGTH = 64;

// An incoming X-Request-ID is kept only when it looks like an id, so a client
// cannot inject arbitrary text into logs and response headers.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const PROBES = new Set(['/healthz', '/readyz']);

export function parsePort(value: string | undefined, fallback = DEFAULT_PORT): number {
  if (value === undefined || value.trim() === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535, got "${value}"`);
  }
  return port;
}

type Route = (url: URL, res: ServerResponse, state: State) => void;

interface State {
  ready: boolean;
  shuttingDown: boolean;
  logger: Logger;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const routes: Record<string, Route> = {
  // Liveness: the process is up and serving requests.
  '/healthz': (_url, res) => sendJson(res, 200, { status: 'ok' }),

  // Readiness: the service may receive traffic. 503 once shutdown starts,
  // so Kubernetes takes the pod out of the Service while requests drain.
  '/readyz': (_url, res, state) =>
    state.ready && !state.shuttingDown
      ? sendJson(res, 200, { status: 'ready' })
      : sendJson(res, 503, { status: 'not ready' }),

  // Example endpoint: GET /api/hello?name=x.
  '/api/hello': (url, res, state) => {
    const name = (url.searchParams.get('name') ?? '').trim() || 'world';
    if (name.length > MAX_NAME_LENGTH) {
      sendJson(res, 400, { error: `name must be at most ${MAX_NAME_LENGTH} characters` });
      return;
    }
    state.logger.info('said hello', { name_length: name.length });
    sendJson(res, 200, { message: `Hello, ${name}!` });
  },
};

export interface Service {
  readonly server: http.Server;
  /** Sets what GET /readyz reports. */
  setReady(ready: boolean): void;
  /**
   * Graceful shutdown: /readyz turns 503, then after drainDelayMs (time for
   * Kubernetes to stop routing new requests here) the server stops accepting
   * connections and lets in-flight requests finish. Connections still open
   * after timeoutMs are cut. Resolves true when everything finished in time.
   */
  shutdown(options?: { drainDelayMs?: number; timeoutMs?: number }): Promise<boolean>;
}

export function createService(options: { logger: Logger }): Service {
  const state: State = { ready: true, shuttingDown: false, logger: options.logger };

  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const incoming = req.headers['x-request-id'];
    const requestId =
      typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const started = process.hrtime.bigint();
    res.setHeader('x-request-id', requestId);
    if (state.shuttingDown) res.setHeader('connection', 'close');

    requestContext.run({ requestId }, () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      res.once('finish', () => {
        const fields = {
          method: req.method,
          path: url.pathname,
          status: res.statusCode,
          duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
        };
        const line = `${req.method} ${url.pathname} ${res.statusCode}`;
        // Probes come every few seconds; keep them out of the info stream.
        if (PROBES.has(url.pathname)) state.logger.debug(line, fields);
        else state.logger.info(line, fields);
      });

      const route = routes[url.pathname];
      if (!route) {
        sendJson(res, 404, { error: 'not found' });
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        sendJson(res, 405, { error: 'method not allowed' });
        return;
      }
      try {
        route(url, res, state);
      } catch (error) {
        state.logger.error('request failed', { err: error });
        if (!res.headersSent) sendJson(res, 500, { error: 'internal server error' });
        else res.destroy();
      }
    });
  });

  let closing: Promise<boolean> | undefined;

  return {
    server,
    setReady(ready) {
      state.ready = ready;
    },
    shutdown({ drainDelayMs = 0, timeoutMs = 20_000 } = {}) {
      closing ??= new Promise<boolean>(resolve => {
        state.shuttingDown = true;
        setTimeout(() => {
          const timer = setTimeout(() => {
            options.logger.warn('shutdown timed out, closing open connections', { timeoutMs });
            server.closeAllConnections();
            resolve(false);
          }, timeoutMs);
          timer.unref();
          server.close(() => {
            clearTimeout(timer);
            resolve(true);
          });
          server.closeIdleConnections();
        }, drainDelayMs).unref();
      });
      return closing;
    },
  };
}
