/*
 * Each app templates/service/skeleton renders runs its own linter and
 * tests: Python with Debian's python3-django, python3-pytest and
 * python3-flake8 (and python3-gunicorn to serve it for real and stop it with
 * SIGTERM); Node with npm ci from the registry, eslint + tsc, and node --test
 * (which also SIGTERMs dist/main.js).
 */

import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import {
  BASE_VALUES,
  removeTmpRoot,
  render,
  run,
  sh,
} from './__testUtils__/skeleton';

afterAll(removeTmpRoot);

describe('each rendered app passes its own linter and tests', () => {
  it('python: flake8, manage.py check, pytest', async () => {
    const python = await findPython();
    const dir = await render({
      ...BASE_VALUES,
      runtime: 'python',
      ci: 'jenkins',
    });
    const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
    await sh(python, ['-m', 'flake8'], { cwd: dir, env });
    await sh(python, ['manage.py', 'check'], {
      cwd: dir,
      env: { ...env, DJANGO_SECRET_KEY: 'test-only' },
    });
    const out = await sh(
      python,
      ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'],
      {
        cwd: dir,
        env,
      },
    );
    expect(out).toMatch(/\b\d+ passed\b/);
    expect(out).not.toMatch(/\bfailed\b/);
  }, 60_000);

  it('python: gunicorn serves JSON logs and exits 0 on SIGTERM', async () => {
    const python = await findPython();
    const dir = await render({
      ...BASE_VALUES,
      runtime: 'python',
      ci: 'jenkins',
    });
    const port = await freePort();
    const child = spawn(
      python,
      ['-m', 'gunicorn', '--config', 'gunicorn.conf.py'],
      {
        cwd: dir,
        env: {
          ...process.env,
          PORT: String(port),
          DJANGO_SECRET_KEY: 'test-only',
          DJANGO_ALLOWED_HOSTS: '127.0.0.1',
          WEB_CONCURRENCY: '1',
          PYTHONDONTWRITEBYTECODE: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', chunk => (output += chunk));
    child.stderr.on('data', chunk => (output += chunk));
    const exited = new Promise<number | null>(resolve =>
      child.once('exit', resolve),
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          if ((await fetch(`${base}/readyz`)).status === 200) break;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline)
          throw new Error(`gunicorn did not start:\n${output}`);
        await new Promise(resolve => setTimeout(resolve, 100));
      }
      const res = await fetch(`${base}/api/hello?name=k8s`, {
        headers: { 'x-request-id': 'gunicorn-1' },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ message: 'Hello, k8s!' });
      expect(res.headers.get('x-request-id')).toBe('gunicorn-1');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const lines = output.trim().split('\n');
    const entries = lines.map(line => JSON.parse(line));
    for (const entry of entries) {
      expect(entry).toEqual(
        expect.objectContaining({
          time: expect.any(String),
          level: expect.any(String),
          msg: expect.any(String),
        }),
      );
    }
    expect(entries).toContainEqual(
      expect.objectContaining({
        logger: 'order_svc.access',
        request_id: 'gunicorn-1',
        status: 200,
      }),
    );
    expect(entries.map(e => e.msg)).toContain('Handling signal: term');
  }, 60_000);

  it('node: npm ci, eslint + tsc, node --test', async () => {
    const dir = await render({
      ...BASE_VALUES,
      runtime: 'node',
      ci: 'github-actions',
    });
    // npm runs on this Node (22), and so do the scripts it starts.
    const env = {
      ...process.env,
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${
        process.env.PATH
      }`,
      npm_config_update_notifier: 'false',
    };
    await sh('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, env });
    await sh('npm', ['run', 'lint'], { cwd: dir, env });
    const out = await sh('npm', ['test'], { cwd: dir, env });
    expect(out).toMatch(/# fail 0/);
    expect(out).toMatch(/# pass [1-9]/);
  }, 180_000);
});

/**
 * A Python 3 that has Django, pytest, flake8 and gunicorn: Debian's
 * python3-django, python3-pytest, python3-flake8 and python3-gunicorn
 * (installed for /usr/bin/python3).
 */
async function findPython(): Promise<string> {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    try {
      await run(candidate, ['-c', 'import django, pytest, flake8, gunicorn']);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    'No python3 with Django, pytest, flake8 and gunicorn. Install them: ' +
      'apt-get install -y python3-django python3-pytest python3-flake8 python3-gunicorn',
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
