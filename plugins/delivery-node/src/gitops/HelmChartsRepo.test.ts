import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import git from 'isomorphic-git';
import { ConfigReader } from '@backstage/config';
import { ConflictError, InputError } from '@backstage/errors';
import { Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '@internal/sandbox';
import { HelmChartsRepo } from './HelmChartsRepo';
import { editYaml } from './yamlEdit';

jest.setTimeout(120_000);

const OWNER = 'slipway-demo';
const REPO = 'helm-charts';

describe('HelmChartsRepo (against the sandbox over git smart HTTP)', () => {
  let sb: Sandbox;
  let tmpDir: string;

  const config = (helmCharts: object = {}) =>
    new ConfigReader({
      integrations: {
        github: [
          {
            host: new URL(sb.urls.github).host,
            apiBaseUrl: sb.urls.githubApi,
            token: SANDBOX_CREDENTIALS.githubToken,
          },
        ],
      },
      slipway: {
        gitops: {
          helmCharts: {
            repoUrl: `${sb.urls.github}/${OWNER}/${REPO}`,
            branch: 'main',
            ...helmCharts,
          },
        },
      },
    });

  beforeAll(async () => {
    sb = await startSandbox({
      dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sb-gitops-')),
      ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
      seed: false,
      buildMs: 0,
      progressingMs: 100,
      reconcileIntervalMs: 0,
    });
    sb.github.ensureUser(OWNER, 'Organization');
    await sb.github.createRepo(OWNER, REPO, { defaultBranch: 'main' });
    await sb.repos.commitFiles(
      OWNER,
      REPO,
      'main',
      { 'README.md': '# helm-charts\n' },
      'chore: bootstrap',
    );
  });
  afterAll(() => sb?.stop());
  beforeEach(() => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-work-'));
  });
  afterEach(() => {
    // Every checkout is removed, whether the update succeeded or not.
    // eslint-disable-next-line jest/no-standalone-expect
    expect(fs.readdirSync(tmpDir)).toEqual([]);
    fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  it('commits and pushes a change, and makes no empty commit when nothing changes', async () => {
    const repo = HelmChartsRepo.fromConfig(config(), { tmpDir });
    const first = await repo.update(async files => {
      await files.writeFile('charts/a/values.yaml', 'x: 1\n');
    }, 'feat(a): add');
    expect(first.changed).toBe(true);
    expect(await sb.repos.resolveIn(OWNER, REPO, 'main')).toBe(first.commitSha);
    expect(
      await sb.repos.readFileIn(OWNER, REPO, 'main', 'charts/a/values.yaml'),
    ).toBe('x: 1\n');

    const again = await repo.update(async files => {
      await files.writeFile('charts/a/values.yaml', 'x: 1\n');
    }, 'feat(a): add');
    expect(again).toMatchObject({ changed: false, commitSha: first.commitSha });
    expect(await sb.repos.resolveIn(OWNER, REPO, 'main')).toBe(first.commitSha);

    const removed = await repo.update(async files => {
      await files.remove('charts/a');
    }, 'chore(a): remove');
    expect(removed.changed).toBe(true);
    expect(
      await sb.repos.readFileIn(OWNER, REPO, 'main', 'charts/a/values.yaml'),
    ).toBeUndefined();
  });

  it('fetches one commit deep however long the history and however many charts', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 200; i++) {
      many[
        `charts/filler-${i}/values.yaml`
      ] = `# filler ${i}\nreplicaCount: 1\n`;
    }
    await sb.repos.commitFiles(OWNER, REPO, 'main', many, 'chore: fill');
    for (let i = 0; i < 30; i++) {
      await sb.repos.commitFiles(
        OWNER,
        REPO,
        'main',
        { [`charts/filler-${i}/values.yaml`]: `replicaCount: ${i + 2}\n` },
        `chore: bump ${i}`,
      );
    }
    const repo = HelmChartsRepo.fromConfig(config(), { tmpDir });
    let seen: { shallow: boolean; commits: number; files: number } | undefined;
    await repo.update(async files => {
      const log = await git.log({ fs, dir: files.dir });
      seen = {
        shallow: fs.existsSync(path.join(files.dir, '.git', 'shallow')),
        commits: log.length,
        files: (await files.listFiles('charts')).length,
      };
      await files.writeFile('charts/deep/values.yaml', 'x: 1\n');
    }, 'feat(deep): add');
    expect(seen).toEqual({ shallow: true, commits: 1, files: 200 });
  });

  it('lands twenty racing updates fast-forward, each from a fresh shallow checkout (no force push, none lost)', async () => {
    const repo = HelmChartsRepo.fromConfig(config(), {
      tmpDir,
    });
    const before = await sb.repos.resolveIn(OWNER, REPO, 'main');
    const names = Array.from({ length: 20 }, (_, i) => `race-${i}`);
    const results = await Promise.all(
      names.map(name =>
        repo.update(async files => {
          await files.writeFile(
            `charts/${name}/values.yaml`,
            `name: ${name}\n`,
          );
        }, `feat(${name}): register chart`),
      ),
    );
    expect(results.every(r => r.changed)).toBe(true);
    expect(results.some(r => r.attempts > 1)).toBe(true);
    const log = await sb.repos.log(OWNER, REPO, 'main', 21);
    // Linear: every commit's single parent is the one before it.
    for (let i = 0; i < 20; i++) {
      expect(log[i].parents).toEqual([log[i + 1].sha]);
    }
    expect(log[20].sha).toBe(before);
    for (const name of names) {
      expect(
        await sb.repos.readFileIn(
          OWNER,
          REPO,
          'main',
          `charts/${name}/values.yaml`,
        ),
      ).toBe(`name: ${name}\n`);
    }
  });

  it('passes errors of the change through and still removes the checkout', async () => {
    const repo = HelmChartsRepo.fromConfig(config(), { tmpDir });
    await expect(
      repo.update(async () => {
        throw new ConflictError('charts/x exists');
      }, 'x'),
    ).rejects.toThrow(ConflictError);
  });

  it('refuses paths that leave the repository or reach into .git', async () => {
    const repo = HelmChartsRepo.fromConfig(config(), { tmpDir });
    for (const bad of [
      '../x',
      '/etc/passwd',
      'charts/../../x',
      '.git/config',
    ]) {
      await expect(
        repo.update(files => files.writeFile(bad, 'x'), 'x'),
      ).rejects.toThrow(InputError);
    }
  });

  it('fails with AuthenticationError and no token in the message when the token is refused', async () => {
    const repo = HelmChartsRepo.fromConfig(
      new ConfigReader({
        integrations: {
          github: [
            {
              host: new URL(sb.urls.github).host,
              apiBaseUrl: sb.urls.githubApi,
              token: 'wrong-token-123456',
            },
          ],
        },
        slipway: {
          gitops: {
            helmCharts: { repoUrl: `${sb.urls.github}/${OWNER}/${REPO}` },
          },
        },
      }),
      { tmpDir },
    );
    const err = await repo
      .update(async f => f.writeFile('x.yaml', 'x'), 'x')
      .catch(e => e);
    expect(err.name).toBe('AuthenticationError');
    expect(JSON.stringify({ m: err.message, s: err.stack })).not.toContain(
      'wrong-token-123456',
    );
  });

  it('in pull-request mode pushes slipway/<name>-<id> and opens a pull request through the REST API', async () => {
    const calls: Array<{
      url: string;
      method: string;
      body: any;
      auth: string;
    }> = [];
    const fakeFetch = (async (url: string, init: any) => {
      calls.push({
        url,
        method: init.method ?? 'GET',
        body: init.body ? JSON.parse(init.body) : undefined,
        auth: init.headers.authorization,
      });
      if (calls.length === 1) {
        return new Response(
          JSON.stringify({ html_url: 'https://github.example/pull/7' }),
          { status: 201 },
        );
      }
      if ((init.method ?? 'GET') === 'POST') {
        return new Response(
          JSON.stringify({
            message: 'Validation Failed',
            errors: [{ message: 'A pull request already exists for x.' }],
          }),
          { status: 422 },
        );
      }
      return new Response(
        JSON.stringify([{ html_url: 'https://github.example/pull/7' }]),
        { status: 200 },
      );
    }) as unknown as typeof fetch;
    const repo = HelmChartsRepo.fromConfig(config({ mode: 'pull-request' }), {
      tmpDir,
      fetch: fakeFetch,
    });
    const head = await sb.repos.resolveIn(OWNER, REPO, 'main');
    const change = async (files: any) => {
      await files.writeFile('charts/pr/values.yaml', 'x: 1\n');
    };
    const r = await repo.update(change, 'feat(pr): register chart\n\nbody', {
      name: 'pr',
    });
    expect(r.pullRequestUrl).toBe('https://github.example/pull/7');
    expect(r.branch).toMatch(/^slipway\/pr-[0-9a-f]{8}$/);
    expect(await sb.repos.resolveIn(OWNER, REPO, 'main')).toBe(head);
    expect(await sb.repos.resolveIn(OWNER, REPO, r.branch)).toBe(r.commitSha);
    expect(calls[0]).toMatchObject({
      url: `${sb.urls.githubApi}/repos/${OWNER}/${REPO}/pulls`,
      method: 'POST',
      body: {
        title: 'feat(pr): register chart',
        body: 'body',
        head: r.branch,
        base: 'main',
      },
      auth: `Bearer ${SANDBOX_CREDENTIALS.githubToken}`,
    });

    // A re-run finds the same branch and the open pull request: nothing new.
    const again = await repo.update(
      change,
      'feat(pr): register chart\n\nbody',
      {
        name: 'pr',
      },
    );
    expect(again).toMatchObject({
      branch: r.branch,
      commitSha: r.commitSha,
      pullRequestUrl: 'https://github.example/pull/7',
    });
  });
});

describe('editYaml', () => {
  it('sets nested values and keeps comments', () => {
    const text = [
      '# top comment',
      'image:',
      '  repository: old # the ECR repository',
      '  tag: latest',
      'serviceAccount:',
      '  # annotations for IRSA',
      '  annotations: {}',
      '',
    ].join('\n');
    const out = editYaml(text, [
      [['image', 'repository'], 'new'],
      [
        ['serviceAccount', 'annotations', 'eks.amazonaws.com/role-arn'],
        'arn:x',
      ],
      [['nameOverride'], 'svc'],
    ]);
    expect(out).toContain('# top comment');
    expect(out).toContain('repository: new # the ECR repository');
    expect(out).toContain('# annotations for IRSA');
    expect(out).toContain('eks.amazonaws.com/role-arn: arn:x');
    expect(out).toContain('nameOverride: svc');
  });
});
