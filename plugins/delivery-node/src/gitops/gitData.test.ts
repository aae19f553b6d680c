import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '@internal/sandbox';
import { withRetryProgress } from '../retry/progress';
import { githubError, githubMessage, gitDataClient } from './gitData';

jest.setTimeout(120_000);

/** Node's fetch, past Jest's network guard (it blocks the global one). */
const undici = require('undici') as {
  fetch: typeof fetch;
  Response: typeof Response;
};

const OWNER = 'slipway-demo';
const REPO = 'git-data';
const TOKEN = SANDBOX_CREDENTIALS.githubToken;
const TREE = [
  {
    path: 'a.txt',
    mode: '100644' as const,
    type: 'blob' as const,
    content: 'a',
  },
];

/**
 * GitHub's answer to a secondary rate limit in place of the sandbox's
 * injected 429, which carries neither GitHub's message nor a retry-after.
 */
const secondaryRateLimit =
  (retryAfter: number): typeof fetch =>
  async (input, init) => {
    const res = await undici.fetch(input, init);
    if (res.status !== 429) return res;
    await res.body?.cancel();
    return new undici.Response(
      JSON.stringify({
        message:
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      }),
      {
        status: 429,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'retry-after': String(retryAfter),
        },
      },
    );
  };

describe('gitDataClient retries (against the sandbox)', () => {
  let sb: Sandbox;
  let dataDir: string;

  /** A client whose waits last milliseconds: no test waits on the clock. */
  const client = (options: { fetch?: typeof fetch; retries?: number } = {}) =>
    gitDataClient({
      token: TOKEN,
      apiBaseUrl: sb.urls.githubApi,
      fetch: options.fetch ?? undici.fetch,
      retries: options.retries,
      retryAfterBaseValue: 1,
      rateLimitSecondMs: 1,
    });
  /** Runs `fn` as a scaffolder step would, keeping its progress lines. */
  const run = async <T>(fn: () => Promise<T>) => {
    const lines: string[] = [];
    const outcome = await withRetryProgress({ info: l => lines.push(l) }, () =>
      fn().then(
        value => ({ value, error: undefined }),
        (error: unknown) => ({ value: undefined, error }),
      ),
    );
    return { ...outcome, lines };
  };
  const createTree = (github = client()) =>
    github.rest.git.createTree({ owner: OWNER, repo: REPO, tree: TREE });
  const requests = () => sb.faults.counters().github?.['git/create-tree'];
  const failNext = (count: number, status: 429 | 503) =>
    sb.faults.set({
      github: { failNext: { 'git/create-tree': { count, status } } },
    });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-gitdata-'));
    sb = await startSandbox({
      dataDir,
      ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
      seed: false,
      buildMs: 0,
      progressingMs: 100,
      reconcileIntervalMs: 0,
    });
    sb.github.ensureUser(OWNER, 'Organization');
    await sb.github.createRepo(OWNER, REPO, { defaultBranch: 'main' });
  });
  afterAll(async () => {
    await sb?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    sb.faults.clear();
    sb.faults.resetCounters();
  });

  it('retries two 503s, one progress line each, and succeeds', async () => {
    failNext(2, 503);
    const { value, error, lines } = await run(() => createTree());
    expect(error).toBeUndefined();
    expect(value?.data.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(lines).toEqual([
      'GitHub POST /repos/{owner}/{repo}/git/trees answered 503, retrying 1/4',
      'GitHub POST /repos/{owner}/{repo}/git/trees answered 503, retrying 2/4',
    ]);
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(requests()).toBe(3);
  });

  it('fails with a clear error once the budget (4 retries, 5 requests) is spent', async () => {
    failNext(10, 503);
    const { error, lines } = await run(() => createTree());
    expect(error).toMatchObject({ status: 503 });
    expect(
      githubError(`writing the tree: ${githubMessage(error)}`, 503, TOKEN),
    ).toMatchObject({
      name: 'ServiceUnavailableError',
      message: 'writing the tree: injected fault: 503 (HTTP 503)',
    });
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe(
      'GitHub POST /repos/{owner}/{repo}/git/trees answered 503, retrying 4/4',
    );
    expect(requests()).toBe(5);

    sb.faults.resetCounters();
    const lowered = await run(() => createTree(client({ retries: 1 })));
    expect(lowered.error).toMatchObject({ status: 503 });
    expect(lowered.lines).toEqual([
      'GitHub POST /repos/{owner}/{repo}/git/trees answered 503, retrying 1/1',
    ]);
    expect(requests()).toBe(2);
  });

  it('does not retry a 422', async () => {
    const { error, lines } = await run(() =>
      client().rest.git.createTree({
        owner: OWNER,
        repo: REPO,
        tree: [{ ...TREE[0], mode: '100600' as '100644' }],
      }),
    );
    expect(error).toMatchObject({ status: 422 });
    expect(githubMessage(error)).toBe(
      "tree.mode '100600' is invalid for a blob",
    );
    expect(lines).toEqual([]);
    expect(requests()).toBe(1);
  });

  it('retries a 429 without rate-limit signals like a 5xx', async () => {
    failNext(1, 429);
    const { error, lines } = await run(() => createTree());
    expect(error).toBeUndefined();
    expect(lines).toEqual([
      'GitHub POST /repos/{owner}/{repo}/git/trees answered 429, retrying 1/4',
    ]);
    expect(requests()).toBe(2);
  });

  it('waits out a rate limit with a retry-after, at most twice, a line each', async () => {
    failNext(2, 429);
    const github = client({ fetch: secondaryRateLimit(12) });
    const waited = await run(() => createTree(github));
    expect(waited.error).toBeUndefined();
    expect(waited.lines).toEqual([
      'GitHub rate limit reached, waiting 12 s, retrying 1/2',
      'GitHub rate limit reached, waiting 12 s, retrying 2/2',
    ]);
    expect(requests()).toBe(3);

    sb.faults.resetCounters();
    failNext(3, 429);
    const third = await run(() => createTree(github));
    expect(third.error).toMatchObject({ status: 429 });
    expect(githubMessage(third.error)).toBe(
      'GitHub rate limit still reached after 2 waits: You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
    );
    expect(third.lines).toHaveLength(2);
    expect(requests()).toBe(3);
  });

  it('fails at once when a rate limit asks to wait more than 60 s', async () => {
    failNext(1, 429);
    const github = client({ fetch: secondaryRateLimit(120) });
    const { error, lines } = await run(() => createTree(github));
    expect(error).toMatchObject({ status: 429 });
    expect(githubMessage(error)).toMatch(
      /^GitHub rate limit reached, and GitHub asks to wait 120 s \(Slipway waits at most 60 s\): You have exceeded a secondary rate limit/,
    );
    expect(lines).toEqual([]);
    expect(requests()).toBe(1);

    // The client's other requests keep their retries.
    sb.faults.resetCounters();
    failNext(1, 503);
    const next = await run(() => createTree(github));
    expect(next.error).toBeUndefined();
    expect(next.lines).toHaveLength(1);
    expect(requests()).toBe(2);
  });

  it('retries a request that got no answer', async () => {
    let dropped = 0;
    const dropFirst: typeof fetch = async (input, init) => {
      if (dropped++ === 0) throw new TypeError('fetch failed');
      return undici.fetch(input, init);
    };
    const { error, lines } = await run(() =>
      createTree(client({ fetch: dropFirst })),
    );
    expect(error).toBeUndefined();
    expect(lines).toEqual([
      'GitHub POST /repos/{owner}/{repo}/git/trees did not answer, retrying 1/4',
    ]);
    expect(requests()).toBe(1);
  });
});
