import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { ConflictError, InputError } from '@backstage/errors';
import { Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '@internal/sandbox';
import { HelmChartsRepo } from './HelmChartsRepo';
import { editYaml } from './yamlEdit';

jest.setTimeout(120_000);

const OWNER = 'slipway-demo';
const REPO = 'helm-charts';

/** Node's fetch, past Jest's network guard (it blocks global fetch). */
const { fetch: undiciFetch } = require('undici') as { fetch: typeof fetch };

describe("HelmChartsRepo (against the sandbox through GitHub's Git Data API)", () => {
  let sb: Sandbox;

  const config = (helmCharts: object = {}, token?: string) =>
    new ConfigReader({
      integrations: {
        github: [
          {
            host: new URL(sb.urls.github).host,
            apiBaseUrl: sb.urls.githubApi,
            token: token ?? SANDBOX_CREDENTIALS.githubToken,
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
  const repoFor = (c: ConfigReader) =>
    HelmChartsRepo.fromConfig(c, { fetch: undiciFetch });
  /** GitHub requests since the last reset, by operation. */
  const calls = () => sb.faults.counters().github ?? {};

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

  it('commits a change, makes no empty commit when nothing changes, and removes a folder', async () => {
    const repo = repoFor(config());
    const first = await repo.update(async files => {
      await files.writeFile('charts/a/values.yaml', 'x: 1\n');
      await files.writeFile('charts/a/Chart.yaml', 'name: a\n');
    }, 'feat(a): add');
    expect(first.changed).toBe(true);
    expect(await sb.repos.resolveIn(OWNER, REPO, 'main')).toBe(first.commitSha);
    expect(
      await sb.repos.readFileIn(OWNER, REPO, 'main', 'charts/a/values.yaml'),
    ).toBe('x: 1\n');
    const [commit] = await sb.repos.log(OWNER, REPO, 'main', 1);
    expect(commit).toMatchObject({
      message: 'feat(a): add',
      author: 'Slipway',
    });

    const again = await repo.update(async files => {
      expect(await files.readFile('charts/a/values.yaml')).toBe('x: 1\n');
      expect(await files.exists('charts/a')).toBe(true);
      expect(await files.exists('charts/nope')).toBe(false);
      await files.writeFile('charts/a/values.yaml', 'x: 1\n');
    }, 'feat(a): add');
    expect(again).toMatchObject({ changed: false, commitSha: first.commitSha });
    expect(await sb.repos.resolveIn(OWNER, REPO, 'main')).toBe(first.commitSha);

    const removed = await repo.update(async files => {
      await files.remove('charts/a');
      expect(await files.exists('charts/a')).toBe(false);
      expect(await files.listFiles('charts')).toEqual([]);
    }, 'chore(a): remove');
    expect(removed.changed).toBe(true);
    expect(
      await sb.repos.listDir(
        sb.repos.cloneUrl(OWNER, REPO),
        removed.commitSha,
        '',
      ),
    ).toEqual(['README.md']);
  });

  it('writes bytes that are not UTF-8 through a base64 blob, unchanged', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00, 0x0a]);
    const r = await repoFor(config()).update(
      files => files.writeFile('charts/logo/logo.png', bytes),
      'chore: logo',
    );
    const tree = (await sb.repos.resolveTree(OWNER, REPO, r.commitSha))!;
    const entry = (await sb.repos.listTree(OWNER, REPO, tree, true)).find(
      e => e.path === 'charts/logo/logo.png',
    )!;
    expect(await sb.repos.readBlob(OWNER, REPO, entry.sha)).toEqual(bytes);
  });

  it('costs the same GitHub calls with 200 charts and a long history as with none, and never fetches the tree with git', async () => {
    const register = (name: string) =>
      repoFor(config()).update(async files => {
        if ((await files.listFiles(`charts/${name}`)).length === 0) {
          await files.writeFile(`charts/${name}/values.yaml`, 'x: 1\n');
        }
      }, `feat(${name}): add`);

    sb.faults.resetCounters();
    await register('small');
    const small = calls();

    const many: Record<string, string> = {};
    for (let i = 0; i < 200; i++) {
      many[`charts/filler-${i}/values.yaml`] = `# filler ${i}\n`;
      many[
        `charts/filler-${i}/templates/deployment.yaml`
      ] = `kind: Deployment\n`;
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
    sb.faults.resetCounters();
    await register('crowded');
    const crowded = calls();

    expect(crowded).toEqual(small);
    expect(crowded).toEqual({
      'git/get-ref': 1,
      'git/get-commit': 1,
      // the root folder and charts/, each once, non-recursively
      'git/get-tree': 2,
      'git/create-tree': 1,
      'git/create-commit': 1,
      'git/update-ref': 1,
    });
    expect(Object.keys(crowded).some(op => op.startsWith('git '))).toBe(false);

    // Reads below a folder list exactly the files there.
    await repoFor(config()).update(async files => {
      const below = await files.listFiles('charts/filler-7');
      expect(below).toEqual([
        'charts/filler-7/templates/deployment.yaml',
        'charts/filler-7/values.yaml',
      ]);
      expect(await files.readFile('charts/filler-7/values.yaml')).toBe(
        'replicaCount: 9\n',
      );
    }, 'nothing');
  });

  it('lands twenty racing updates fast-forward, each from a fresh read of the head (no force push, none lost)', async () => {
    const repo = HelmChartsRepo.fromConfig(config(), {
      fetch: undiciFetch,
      backoff: { baseMs: 20, maxMs: 2000 },
      maxAttempts: 30,
    });
    const before = await sb.repos.resolveIn(OWNER, REPO, 'main');
    const names = Array.from({ length: 20 }, (_, i) => `race-${i}`);
    sb.faults.resetCounters();
    // Every writer's first attempt waits until all twenty have read the
    // same head, so nineteen lose the race whatever the machine's speed;
    // each loss is another writer's win, so none needs more than 20 tries.
    const seen = new Set<string>();
    let allRead!: () => void;
    const barrier = new Promise<void>(r => (allRead = r));
    const results = await Promise.all(
      names.map(name =>
        repo.update(async files => {
          if (!seen.has(name)) {
            seen.add(name);
            if (seen.size === names.length) allRead();
            await barrier;
          }
          await files.writeFile(
            `charts/${name}/values.yaml`,
            `name: ${name}\n`,
          );
        }, `feat(${name}): register chart`),
      ),
    );
    expect(results.every(r => r.changed)).toBe(true);
    // Nineteen lost the first race, were refused as no fast-forward, and
    // tried again.
    expect(results.filter(r => r.attempts > 1)).toHaveLength(19);
    expect(calls()['git/update-ref']).toBe(
      results.reduce((n, r) => n + r.attempts, 0),
    );
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
  }, 300_000);

  it('passes errors of the change through', async () => {
    const repo = repoFor(config());
    await expect(
      repo.update(async () => {
        throw new ConflictError('charts/x exists');
      }, 'x'),
    ).rejects.toThrow(ConflictError);
  });

  it('refuses paths that leave the repository or reach into .git', async () => {
    const repo = repoFor(config());
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
    const repo = repoFor(config({}, 'wrong-token-123456'));
    const err = await repo
      .update(async f => f.writeFile('x.yaml', 'x'), 'x')
      .catch(e => e);
    expect(err.name).toBe('AuthenticationError');
    expect(JSON.stringify({ m: err.message, s: err.stack })).not.toContain(
      'wrong-token-123456',
    );
  });

  it('fails with NotFoundError naming the branch when the branch is missing', async () => {
    const err = await repoFor(config({ branch: 'nope' }))
      .update(async f => f.writeFile('x.yaml', 'x'), 'x')
      .catch(e => e);
    expect(err.name).toBe('NotFoundError');
    expect(err.message).toContain('branch nope');
    expect(err.message).not.toContain(SANDBOX_CREDENTIALS.githubToken);
  });

  it('in pull-request mode creates slipway/<name>-<id> and opens one pull request, which a re-run finds', async () => {
    const repo = repoFor(config({ mode: 'pull-request' }));
    const head = await sb.repos.resolveIn(OWNER, REPO, 'main');
    const change = async (files: any) => {
      await files.writeFile('charts/pr/values.yaml', 'x: 1\n');
    };
    const r = await repo.update(change, 'feat(pr): register chart\n\nbody', {
      name: 'pr',
    });
    expect(r.branch).toMatch(/^slipway\/pr-[0-9a-f]{8}$/);
    expect(r.pullRequestUrl).toMatch(
      new RegExp(`^${sb.urls.github}/${OWNER}/${REPO}/pull/\\d+$`),
    );
    // main is untouched; the branch carries the commit.
    expect(await sb.repos.resolveIn(OWNER, REPO, 'main')).toBe(head);
    expect(await sb.repos.resolveIn(OWNER, REPO, r.branch)).toBe(r.commitSha);
    expect(sb.github.getRepo(OWNER, REPO)?.pulls).toEqual([
      expect.objectContaining({
        title: 'feat(pr): register chart',
        body: 'body',
        head: r.branch,
        base: 'main',
        state: 'open',
      }),
    ]);

    // A re-run finds the same branch and the open pull request: nothing new.
    const again = await repo.update(
      change,
      'feat(pr): register chart\n\nbody',
      { name: 'pr' },
    );
    expect(again).toMatchObject({
      branch: r.branch,
      commitSha: r.commitSha,
      pullRequestUrl: r.pullRequestUrl,
    });
    expect(sb.github.getRepo(OWNER, REPO)?.pulls).toHaveLength(1);
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
