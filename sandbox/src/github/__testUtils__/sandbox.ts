/*
 * One GitHub stand-in per test file: a temporary data folder, the server on
 * a loopback port, @octokit/rest pointed at it with a valid token, the
 * slipway-demo org and the slipway-bot user, and every push recorded.
 * Also a loopback webhook receiver and a signature check for webhook tests.
 */

import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Octokit } from '@octokit/rest';
import { FaultInjector } from '../../faults';
import { BareRepos } from '../../git';
import { closeServer, createUpstreamServer, listenLoopback } from '../../http';
import { GitHubUpstream, PushEvent } from '..';

export const execFileP = promisify(execFile);

/** The token the test's Octokit sends (it acts as slipway-bot). */
export const TOKEN = 'test-token';

export interface GitHubSandbox {
  /** The data folder (state file, bare repositories); also HOME for git and gh. */
  dir: string;
  /** e.g. http://127.0.0.1:<port> */
  base: string;
  gh: GitHubUpstream;
  octokit: Octokit;
  /** Every push the upstream's listeners heard, in order. */
  pushes: PushEvent[];
}

/**
 * Starts a GitHub stand-in before the file's tests and stops it after. The
 * fields of the returned object are set once beforeAll has run.
 */
export function useGitHubSandbox(): GitHubSandbox {
  const sb = { pushes: [] as PushEvent[] } as GitHubSandbox;
  let server: http.Server;

  beforeAll(async () => {
    sb.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-gh-'));
    const repos = new BareRepos(path.join(sb.dir, 'git'), () => sb.base);
    const gh = new GitHubUpstream({
      dataDir: sb.dir,
      faults: new FaultInjector(),
      repos,
      baseUrl: () => sb.base,
      tokens: { [TOKEN]: 'slipway-bot' },
    });
    sb.gh = gh;
    gh.ensureUser('slipway-demo', 'Organization');
    gh.ensureUser('slipway-bot');
    gh.onPush(e => {
      sb.pushes.push(e);
    });
    server = createUpstreamServer({
      upstream: 'github',
      faults: gh.faults,
      resolve: gh.resolve.bind(gh),
      renderError: gh.renderError.bind(gh),
      authenticate: gh.authenticate.bind(gh),
    });
    sb.base = `http://127.0.0.1:${await listenLoopback(server, 0)}`;
    sb.octokit = new Octokit({
      auth: TOKEN,
      baseUrl: `${sb.base}/api/v3`,
      request: { fetch: undiciFetch() },
    });
  });

  afterAll(async () => {
    await closeServer(server);
    fs.rmSync(sb.dir, { recursive: true, force: true });
  });

  return sb;
}

/** Whether `x-hub-signature-256` is the HMAC of the raw body with `secret`. */
export function validSignature(
  secret: string,
  raw: Buffer,
  headers: http.IncomingHttpHeaders,
): boolean {
  const got = Buffer.from(String(headers['x-hub-signature-256'] ?? ''));
  const want = Buffer.from(
    `sha256=${crypto.createHmac('sha256', secret).update(raw).digest('hex')}`,
  );
  return got.length === want.length && crypto.timingSafeEqual(got, want);
}

/** A loopback webhook receiver that records what it is sent. */
export async function startReceiver() {
  const received: Array<{
    path: string;
    headers: http.IncomingHttpHeaders;
    raw: Buffer;
    body: any;
  }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        raw,
        body: JSON.parse(raw.toString('utf8')),
      });
      res.writeHead(204).end();
    });
  });
  const port = await listenLoopback(server, 0);
  return {
    received,
    url: (p: string) => `http://127.0.0.1:${port}${p}`,
    close: () => closeServer(server),
  };
}

/** Octokit's fetch, past Jest's network guard (it blocks global fetch). */
export function undiciFetch(): typeof fetch {
  // The guard wraps global fetch; Node's own implementation is still reachable here.
  const { fetch: nodeFetch } = require('undici') as { fetch: typeof fetch };
  return nodeFetch;
}
