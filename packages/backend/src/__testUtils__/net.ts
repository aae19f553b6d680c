/*
 * Loopback helpers for tests that start real servers. Jest's network guard
 * replaces global fetch and the global HTTP agent, so requests here use
 * node:http with an agent of their own, and only ever 127.0.0.1.
 */

import http from 'node:http';
import net from 'node:net';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A response read whole. */
export interface LoopbackResponse {
  status: number;
  body: string;
  json<T = any>(): T;
}

/** One HTTP request to a loopback URL. */
export function request(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: unknown;
  } = {},
): Promise<LoopbackResponse> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') {
    return Promise.reject(new Error(`refusing non-loopback URL ${url}`));
  }
  const payload =
    options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      target,
      {
        method: options.method ?? 'GET',
        agent: new http.Agent({ keepAlive: false }),
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            body,
            json: () => JSON.parse(body),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Thrown by a probe to stop waiting at once (the awaited thing cannot happen). */
export class StopWaiting extends Error {}

/**
 * Polls `probe` until it returns a value, or fails with the last error. A
 * probe that throws StopWaiting ends the wait at once.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      if (e instanceof StopWaiting) throw e;
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${
          last ? `: ${String(last)}` : ''
        }`,
      );
    }
    await new Promise(r => setTimeout(r, intervalMs));
  }
}

/** Like waitFor, with the end of a process's log in the failure message. */
export async function waitForWithLog<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  log: () => string,
): Promise<T> {
  try {
    return await waitFor(what, probe, timeoutMs);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${log().slice(-4000)}`);
  }
}
