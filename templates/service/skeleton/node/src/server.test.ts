// Run with `npm test` (tsc, then node's built-in test runner on dist/).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLogger } from './log.js';
import { createService, DEFAULT_PORT, parsePort, type Service } from './server.js';

async function start(): Promise<{ service: Service; base: string; lines: string[] }> {
  const lines: string[] = [];
  const service = createService({
    logger: createLogger({ level: 'debug', write: line => lines.push(line) }),
  });
  service.server.listen(0, '127.0.0.1');
  await once(service.server, 'listening');
  const { port } = service.server.address() as AddressInfo;
  return { service, base: `http://127.0.0.1:${port}`, lines };
}

describe('HTTP service', () => {
  let service: Service;
  let base: string;
  let lines: string[];

  before(async () => {
    ({ service, base, lines } = await start());
  });
  after(async () => {
    await service.shutdown({ timeoutMs: 1_000 });
  });

  it('GET /healthz is always 200 {"status":"ok"}', async () => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('GET /readyz is 200 when ready and 503 when not', async () => {
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    service.setReady(false);
    try {
      assert.equal((await fetch(`${base}/readyz`)).status, 503);
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
    } finally {
      service.setReady(true);
    }
  });

  it('GET /api/hello greets by name, defaulting to world', async () => {
    const named = await fetch(`${base}/api/hello?name=Ada`);
    assert.equal(named.status, 200);
    assert.match(named.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await named.json(), { message: 'Hello, Ada!' });
    assert.deepEqual(await (await fetch(`${base}/api/hello`)).json(), {
      message: 'Hello, world!',
    });
  });

  it('rejects overlong names, other methods and unknown paths with JSON errors', async () => {
    const long = await fetch(`${base}/api/hello?name=${'x'.repeat(65)}`);
    assert.equal(long.status, 400);
    assert.ok(((await long.json()) as { error: string }).error);

    const post = await fetch(`${base}/api/hello`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');

    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: 'not found' });
  });

  it('keeps a well-formed X-Request-ID and replaces a malformed one', async () => {
    const kept = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(kept.headers.get('x-request-id'), 'abc-123');

    const replaced = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'a b c' } });
    assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('logs one JSON object per line, with time, level, msg and request id', async () => {
    lines.length = 0;
    await fetch(`${base}/api/hello?name=log`, { headers: { 'x-request-id': 'req-42' } });
    const entries = lines.map(line => JSON.parse(line) as Record<string, unknown>);
    for (const entry of entries) {
      assert.equal(typeof entry.time, 'string');
      assert.ok(!Number.isNaN(Date.parse(entry.time as string)));
      assert.equal(typeof entry.level, 'string');
      assert.equal(typeof entry.msg, 'string');
      assert.equal(entry.request_id, 'req-42');
    }
    const access = entries.find(entry => entry.path === '/api/hello');
    assert.ok(access, 'an access log line');
    assert.equal(access.status, 200);
    assert.equal(access.method, 'GET');
    assert.ok(entries.some(entry => entry.msg === 'said hello'));
  });
});

describe('parsePort', () => {
  it('defaults to the service port and validates PORT', () => {
    assert.equal(parsePort(undefined), DEFAULT_PORT);
    assert.equal(parsePort(''), DEFAULT_PORT);
    assert.equal(parsePort('9090'), 9090);
    assert.throws(() => parsePort('http'));
    assert.throws(() => parsePort('70000'));
  });
});

describe('graceful shutdown', () => {
  it('turns /readyz to 503 while draining, then stops listening', async () => {
    const { service, base } = await start();
    const done = service.shutdown({ drainDelayMs: 300, timeoutMs: 2_000 });
    const res = await fetch(`${base}/readyz`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('connection'), 'close');
    assert.equal(await done, true);
    assert.equal(service.server.listening, false);
  });

  it('exits 0 on SIGTERM after serving (dist/main.js end to end)', async () => {
    const main = fileURLToPath(new URL('./main.js', import.meta.url));
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, PORT: '0', SHUTDOWN_DELAY_MS: '100', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    const port = await new Promise<number>((resolve, reject) => {
      let buffered = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        buffered += chunk;
        let newline;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          lines.push(line);
          const entry = JSON.parse(line) as { msg: string; port?: number };
          if (entry.msg === 'listening' && entry.port) resolve(entry.port);
        }
      });
      child.once('exit', code => reject(new Error(`exited early with ${code}`)));
    });

    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(res.status, 200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    const messages = lines.map(line => (JSON.parse(line) as { msg: string }).msg);
    assert.ok(messages.includes('shutting down'));
    assert.ok(messages.includes('shutdown complete'));
  });
});
