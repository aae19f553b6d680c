import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '@internal/sandbox';
import { GitHubReader } from './GitHubReader';
import { workflowRunStatus } from './workflowRuns';

jest.setTimeout(120_000);

/** Node's fetch, past Jest's network guard (it blocks the global one). */
const undiciFetch = (require('undici') as { fetch: typeof fetch }).fetch;

const ORG = 'slipway-demo';

describe('GitHubReader against the seeded sandbox', () => {
  let sb: Sandbox;
  let dataDir: string;

  const config = (token = SANDBOX_CREDENTIALS.githubToken) =>
    new ConfigReader({
      integrations: {
        github: [
          {
            host: new URL(sb.urls.github).host,
            apiBaseUrl: sb.urls.githubApi,
            token,
          },
        ],
      },
      slipway: {
        gitops: {
          helmCharts: { repoUrl: `${sb.urls.github}/${ORG}/helm-charts` },
        },
      },
    });
  const reader = (
    options: { token?: string; cacheSize?: number; retries?: number } = {},
  ) =>
    GitHubReader.fromConfig(config(options.token), {
      fetch: undiciFetch,
      cacheSize: options.cacheSize,
      retries: options.retries,
    });
  const listCommitsCalls = () =>
    sb.faults.counters().github?.['repos/list-commits'] ?? 0;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-ghreader-'));
    sb = await startSandbox({
      dataDir,
      ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
      seed: true,
      buildMs: 0,
      progressingMs: 100,
      reconcileIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await sb?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => sb.faults.resetCounters());

  it('answers a repeated listCommits from its ETag cache (a 304), and sees a new push', async () => {
    const gh = reader();
    const first = await gh.listCommits(ORG, 'payments-api', { perPage: 5 });
    expect(first.map(c => c.message)).toEqual([
      'chore: log request ids',
      'fix: return 503 from /readyz until the database answers',
      'feat: first version of the service',
    ]);
    expect(first[0]).toEqual({
      sha: expect.stringMatching(/^[0-9a-f]{40}$/),
      message: 'chore: log request ids',
      fullMessage: 'chore: log request ids',
      author: 'Dana Developer',
      committedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      url: `${sb.urls.github}/${ORG}/payments-api/commit/${first[0].sha}`,
    });
    expect(gh.stats()).toMatchObject({ requests: 1, notModified: 0 });

    const second = await gh.listCommits(ORG, 'payments-api', { perPage: 5 });
    expect(second).toEqual(first);
    // The request still went to GitHub, conditionally, and came back 304.
    expect(gh.stats()).toMatchObject({ requests: 2, notModified: 1 });
    expect(listCommitsCalls()).toBe(2);

    // A push changes the answer: a 200 with the new commit on top.
    const { sha } = await sb.repos.commitFiles(
      ORG,
      'payments-api',
      'main',
      { 'docs/notes.md': 'notes\n' },
      'docs: notes\n\nA longer body that is not shown.',
      { name: 'Erin Engineer', email: 'erin@example.com' },
    );
    const third = await gh.listCommits(ORG, 'payments-api', { perPage: 5 });
    expect(third[0]).toMatchObject({
      sha,
      message: 'docs: notes',
      author: 'Erin Engineer',
    });
    expect(third.slice(1)).toEqual(first);
    expect(gh.stats()).toMatchObject({ requests: 3, notModified: 1 });
  });

  it('lists only the helm-charts commits that touched a path, and honours since', async () => {
    const gh = reader();
    const changes = await gh.listCommits(ORG, 'helm-charts', {
      path: 'charts/payments-api',
      perPage: 100,
    });
    expect(changes.length).toBe(4); // registered, then three deploys
    expect(changes.at(-1)!.message).toBe('feat(payments-api): register chart');
    for (const c of changes.slice(0, 3)) {
      expect(c.message).toMatch(/^ci\(payments-api\): deploy [0-9a-f]{7}-\d+$/);
    }
    const all = await gh.listCommits(ORG, 'helm-charts', { perPage: 100 });
    expect(all.some(c => c.message.includes('ledger-worker'))).toBe(true);

    const appCommits = await gh.listCommits(ORG, 'docs-portal');
    const since = await gh.listCommits(ORG, 'docs-portal', {
      since: appCommits[0].committedAt,
    });
    expect(since.map(c => c.sha)).toEqual([appCommits[0].sha]);
  });

  it('maps the workflow runs of docs-portal (GitHub Actions) to builds', async () => {
    const gh = reader();
    const commits = await gh.listCommits(ORG, 'docs-portal');
    const section = await gh.listWorkflowRuns(ORG, 'docs-portal', {
      branch: 'main',
      perPage: 10,
    });
    expect(section.provider).toBe('github-actions');
    expect(section.url).toBe(`${sb.urls.github}/${ORG}/docs-portal/actions`);
    expect(section.builds.map(b => b.number)).toEqual([3, 2, 1]);
    expect(section.builds.map(b => b.commitSha)).toEqual(
      commits.map(c => c.sha),
    );
    for (const b of section.builds) {
      expect(b.status).toBe('succeeded');
      expect(b.url).toMatch(
        new RegExp(`^${sb.urls.github}/${ORG}/docs-portal/actions/runs/\\d+$`),
      );
      expect(Date.parse(b.finishedAt!)).toBeGreaterThanOrEqual(
        Date.parse(b.startedAt),
      );
      expect(b.durationMs).toBeGreaterThanOrEqual(0);
    }
    // A Jenkins service has no runs.
    expect((await gh.listWorkflowRuns(ORG, 'payments-api')).builds).toEqual([]);
  });

  it('reads files and repositories, undefined for what does not exist', async () => {
    const gh = reader();
    const values = await gh.getFileContent(
      ORG,
      'helm-charts',
      'charts/payments-api/values.yaml',
      'main',
    );
    expect(values).toMatch(/^image:\n {2}repository: .*\/payments-api$/m);
    // YAML quotes a tag like 298811e-3 (it would read as a number).
    expect(values).toMatch(/^ {2}tag: "?[0-9a-f]{7}-3\b/m);
    expect(
      await gh.getFileContent(ORG, 'helm-charts', 'charts/nope/values.yaml'),
    ).toBeUndefined();
    expect(
      await gh.getFileContent(ORG, 'nope', 'README.md', 'main'),
    ).toBeUndefined();
    // Asked again: a 304, answered from the cache.
    const before = gh.stats().notModified;
    expect(
      await gh.getFileContent(
        ORG,
        'helm-charts',
        'charts/payments-api/values.yaml',
        'main',
      ),
    ).toBe(values);
    expect(gh.stats().notModified).toBe(before + 1);

    expect(await gh.getRepository(ORG, 'docs-portal')).toEqual({
      defaultBranch: 'main',
      htmlUrl: `${sb.urls.github}/${ORG}/docs-portal`,
      topics: [],
    });
    expect(await gh.getRepository(ORG, 'nope')).toBeUndefined();
  });

  it('refuses unsafe names, paths and refs before any request', async () => {
    const gh = reader();
    const attempts: Array<() => Promise<unknown>> = [
      () => gh.listCommits('..', 'x'),
      () => gh.listCommits(ORG, '..'),
      () => gh.listCommits(ORG, 'a/b'),
      () => gh.listCommits(ORG, 'x', { sha: 'main..evil' }),
      () => gh.listCommits(ORG, 'x', { path: 'charts/../secrets' }),
      () => gh.listCommits(ORG, 'x', { since: 'yesterday' }),
      () => gh.listCommits(ORG, 'x', { perPage: 1000 }),
      () => gh.getFileContent(ORG, 'x', '../../../user'),
      () => gh.getFileContent(ORG, 'x', 'a//b'),
      () => gh.listWorkflowRuns(ORG, 'x', { branch: '/main' }),
      () => gh.getRepository('a b', 'x'),
    ];
    for (const attempt of attempts) {
      await expect(attempt()).rejects.toMatchObject({ name: 'InputError' });
    }
    expect(gh.stats().requests).toBe(0);
    expect(sb.faults.total('github')).toBe(0);
  });

  it('fails without the token in the message: refused credentials, server errors', async () => {
    const badToken = 'not-the-sandbox-token-0123';
    const refused = await reader({ token: badToken })
      .listCommits(ORG, 'payments-api')
      .catch(e => e);
    expect(refused.name).toBe('ServiceUnavailableError');
    expect(refused.message).toMatch(/HTTP 401/);
    expect(refused.message).not.toContain(badToken);

    sb.faults.set({ github: { errorRate: 1, errorStatuses: [500] } });
    try {
      const failed = await reader({ retries: 0 })
        .getRepository(ORG, 'payments-api')
        .catch(e => e);
      expect(failed.name).toBe('ServiceUnavailableError');
      expect(failed.message).toContain(`${ORG}/payments-api`);
      expect(failed.message).not.toContain(SANDBOX_CREDENTIALS.githubToken);
    } finally {
      sb.faults.clear();
    }
  });

  it('keeps at most cacheSize answers (least recently used out)', async () => {
    const gh = reader({ cacheSize: 2 });
    await gh.listCommits(ORG, 'payments-api');
    await gh.listCommits(ORG, 'ledger-worker');
    await gh.listCommits(ORG, 'payments-api'); // 304, now most recent
    await gh.listCommits(ORG, 'docs-portal'); // evicts ledger-worker
    expect(gh.stats()).toEqual({
      requests: 4,
      notModified: 1,
      cacheEntries: 2,
    });
    await gh.listCommits(ORG, 'payments-api'); // still cached: 304
    await gh.listCommits(ORG, 'ledger-worker'); // evicted: 200
    expect(gh.stats()).toMatchObject({ requests: 6, notModified: 2 });
  });
});

describe('GitHubReader.parseSlug', () => {
  it('splits owner/repo', () => {
    expect(GitHubReader.parseSlug('slipway-demo/payments-api')).toEqual({
      owner: 'slipway-demo',
      repo: 'payments-api',
    });
    expect(GitHubReader.parseSlug(' acme/web.site_2 ')).toEqual({
      owner: 'acme',
      repo: 'web.site_2',
    });
  });

  it.each([
    'payments-api',
    'a/b/c',
    '/b',
    'a/',
    '../b',
    'a/..',
    'a/b.git',
    'a b/c',
    '-a/b',
    'a/b?x=1',
  ])('refuses %p', slug => {
    expect(() => GitHubReader.parseSlug(slug)).toThrow(
      expect.objectContaining({ name: 'InputError' }),
    );
  });
});

describe('workflowRunStatus', () => {
  it.each([
    ['queued', null, 'queued'],
    ['in_progress', null, 'running'],
    ['completed', 'success', 'succeeded'],
    ['completed', 'failure', 'failed'],
    ['completed', 'timed_out', 'failed'],
    ['completed', 'cancelled', 'aborted'],
    ['completed', 'skipped', 'unknown'],
  ] as const)('maps %s/%s to %s', (status, conclusion, expected) => {
    expect(workflowRunStatus(status, conclusion)).toBe(expected);
  });
});
