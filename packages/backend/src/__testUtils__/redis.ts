/*
 * A throwaway Redis server for tests: Debian's `redis-server` on a free
 * loopback port, nothing saved to disk, stopped with its process. The
 * shared cache (`backend.cache.store: redis`) of backends under test.
 */

import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { freePort, StopWaiting, waitFor } from './net';

/** A RESP reply: simple and bulk strings, integers, arrays, or null. */
export type RedisReply = string | number | null | RedisReply[];

/** A running test Redis server. */
export interface TestRedis {
  host: string;
  port: number;
  /** `redis://127.0.0.1:<port>`, as `backend.cache.connection` takes it. */
  url: string;
  /** One command on a connection of its own (`command('DBSIZE')`). */
  command(...args: string[]): Promise<RedisReply>;
  /** Stops the server. */
  stop(): Promise<void>;
}

function findServer(): string {
  const fromEnv = process.env.SLIPWAY_REDIS_SERVER;
  if (fromEnv) return fromEnv;
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    if (fs.existsSync(p)) return p;
  }
  throw new Error(
    "redis-server not found; install Debian's redis-server (apt-get install redis-server) or set SLIPWAY_REDIS_SERVER",
  );
}

/** Parses one RESP reply from `buf` at `at`; undefined until it is whole. */
function parse(
  buf: Buffer,
  at: number,
): { value: RedisReply | Error; next: number } | undefined {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString('utf8', at + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+':
      return { value: line, next };
    case '-':
      return { value: new Error(line), next };
    case ':':
      return { value: Number(line), next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next };
      if (buf.length < next + len + 2) return undefined;
      return {
        value: buf.toString('utf8', next, next + len),
        next: next + len + 2,
      };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next };
      const items: RedisReply[] = [];
      let pos = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buf, pos);
        if (!item) return undefined;
        if (item.value instanceof Error) return item;
        items.push(item.value);
        pos = item.next;
      }
      return { value: items, next: pos };
    }
    default:
      return { value: new Error(`unexpected RESP type ${type}`), next };
  }
}

/** Sends one command to `port` and reads its reply. */
export function redisCommand(
  port: number,
  ...args: string[]
): Promise<RedisReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    socket.setTimeout(5000, () =>
      socket.destroy(new Error(`redis ${args[0]} timed out`)),
    );
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const reply = parse(data, 0);
      if (!reply) return;
      socket.end();
      if (reply.value instanceof Error) reject(reply.value);
      else resolve(reply.value);
    });
    socket.write(
      `*${args.length}\r\n${args
        .map(a => `$${Buffer.byteLength(a)}\r\n${a}\r\n`)
        .join('')}`,
    );
  });
}

/** Starts a fresh Redis server for one test file. */
export async function startTestRedis(): Promise<TestRedis> {
  const server = findServer();
  const port = await freePort();
  let log = '';
  const child: ChildProcess = spawn(
    server,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      // Its working directory is where a dump would go; nothing is saved.
      '--dir',
      '/tmp',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', d => {
    log += d;
  });
  child.stderr!.on('data', d => {
    log += d;
  });
  const exited = new Promise<void>(resolve => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(
      `redis-server on port ${port} to answer PING`,
      async () => {
        if (child.exitCode !== null) {
          throw new StopWaiting(
            `redis-server exited with ${child.exitCode}: ${log}`,
          );
        }
        return (await redisCommand(port, 'PING')) === 'PONG' ? true : undefined;
      },
      30_000,
      100,
    );
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${log.slice(-2000)}`);
  }
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    command: (...args) => redisCommand(port, ...args),
    stop,
  };
}
