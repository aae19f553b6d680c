/*
 * One HTTP request to a sandbox server from a test. Jest's network guard
 * replaces global fetch and the global agent's DNS lookups, so tests use
 * node:http with an agent of their own, and loopback addresses only.
 */

import http from 'node:http';

/** A response read whole. */
export interface LoopbackResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or the text when it is not JSON. */
  body: any;
}

export function loopbackRequest(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    /** A string is sent as is; anything else as JSON. */
    body?: unknown;
  } = {},
): Promise<LoopbackResponse> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') {
    return Promise.reject(new Error(`refusing non-loopback URL ${url}`));
  }
  const json = options.body !== undefined && typeof options.body !== 'string';
  const payload = json
    ? JSON.stringify(options.body)
    : (options.body as string | undefined);
  return new Promise((resolve, reject) => {
    const req = http.request(
      target,
      {
        method: options.method ?? 'GET',
        agent: new http.Agent(),
        headers: {
          ...(json ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            body,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
