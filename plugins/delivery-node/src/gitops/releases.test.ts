import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { stringify } from 'yaml';
import { ConflictError, InputError } from '@backstage/errors';
import {
  Sandbox,
  sandboxAppConfig,
  SANDBOX_CREDENTIALS,
  startSandbox,
} from '@internal/sandbox';
import { parseChartCommit } from './chartCommits';
import { HelmChartsRepo } from './HelmChartsRepo';
import { ChartReleases, PromoteOptions, RollbackOptions } from './releases';
import { WorkTree } from './WorkTree';

jest.setTimeout(120_000);

// undici is hoisted from the workspace (the sandbox and delivery-backend
// declare it); this package's devDependencies should list it too.
// eslint-disable-next-line @backstage/no-undeclared-imports
const nodeFetch = (require('undici') as { fetch: typeof fetch }).fetch;

const OWNER = 'slipway-demo';
const REPO = 'helm-charts';
const NAME = 'payments-api';
/**
 * A tag as YAML writes it: `773323e-2` would read back as a number, so the
 * YAML library quotes it (and so must the expected text).
 */
const scalar = (tag: string) => stringify(tag).trim();

const USER = 'user:default/dana';

/** An in-memory WorkTree for the file-reading rules. */
function memoryTree(files: Record<string, string>): WorkTree {
  const m = new Map(Object.entries(files));
  return {
    exists: async p => m.has(p),
    readFile: async p => m.get(p),
    writeFile: async (p, c) => {
      m.set(p, c.toString());
    },
    remove: async p => {
      m.delete(p);
    },
    listFiles: async d => [...m.keys()].filter(k => k.startsWith(`${d}/`)),
  };
}

describe('ChartReleases.tagFile', () => {
  const releases = new ChartReleases({ repo: {} as HelmChartsRepo });
  const values = 'image:\n  repository: r\n  tag: base-1\n';

  it("takes values-<env>.yaml's image.tag when that file sets one", async () => {
    const files = memoryTree({
      'charts/a/values.yaml': values,
      'charts/a/values-staging.yaml': '# staging\nimage:\n  tag: env-2\n',
    });
    await expect(releases.tagFile(files, 'a', 'staging')).resolves.toEqual({
      file: 'charts/a/values-staging.yaml',
      tag: 'env-2',
    });
  });

  it("falls back to values.yaml's when the environment's file sets none", async () => {
    const files = memoryTree({
      'charts/a/values.yaml': values,
      'charts/a/values-dev.yaml':
        'replicaCount: 1\nimage:\n  pullPolicy: Always\n',
    });
    await expect(releases.tagFile(files, 'a', 'dev')).resolves.toEqual({
      file: 'charts/a/values.yaml',
      tag: 'base-1',
    });
  });

  it('reads a tag YAML would take for a number as its digits', async () => {
    const files = memoryTree({
      'charts/a/values.yaml': 'image:\n  tag: 1234567\n',
      'charts/a/values-dev.yaml': '',
    });
    await expect(releases.tagFile(files, 'a', 'dev')).resolves.toEqual({
      file: 'charts/a/values.yaml',
      tag: '1234567',
    });
  });

  it('fails with InputError for an unknown environment (no values-<env>.yaml)', async () => {
    const files = memoryTree({ 'charts/a/values.yaml': values });
    await expect(releases.tagFile(files, 'a', 'qa')).rejects.toThrow(
      /Unknown environment 'qa'.*values-qa\.yaml does not exist/,
    );
  });

  it('fails with InputError when no file sets a tag', async () => {
    const files = memoryTree({
      'charts/a/values.yaml': 'image:\n  repository: r\n',
      'charts/a/values-dev.yaml': '# dev\n',
    });
    await expect(releases.tagFile(files, 'a', 'dev')).rejects.toThrow(
      InputError,
    );
  });

  it('fails with InputError when a file holds a tag that breaks the rules', async () => {
    const files = memoryTree({
      'charts/a/values.yaml':
        'image:\n  tag: "-x\\nSlipway-Action: rollback"\n',
      'charts/a/values-dev.yaml': '',
    });
    await expect(releases.tagFile(files, 'a', 'dev')).rejects.toThrow(
      InputError,
    );
  });
});

describe('ChartReleases (against the seeded sandbox)', () => {
  let sb: Sandbox;
  let releases: ChartReleases;
  /** CI's deploys of payments-api, newest first. */
  let deploys: Array<{ sha: string; subject: string; tag: string }>;
  let argoToken: string;
  /** The promote commit of dev's tag to staging. */
  let promoted: { sha: string; subject: string };

  const head = () => sb.repos.resolveIn(OWNER, REPO, 'main');
  const read = (file: string) => sb.repos.readFileIn(OWNER, REPO, 'main', file);
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: sb.repos.dir(OWNER, REPO),
      encoding: 'utf8',
    });
  /** Requests that could have written to GitHub. */
  const writes = () =>
    Object.keys(sb.faults.counters().github ?? {}).filter(op =>
      /receive-pack|create|update|delete|POST|PATCH|PUT/i.test(op),
    );

  const getApp = async (name: string) => {
    const res = await nodeFetch(
      `${sb.urls.argocd}/api/v1/applications/${name}`,
      { headers: { authorization: `Bearer ${argoToken}` } },
    );
    expect(res.status).toBe(200);
    return (await res.json()) as any;
  };
  /** Reconciles until the app is Synced at `revision`; fails naming the last state. */
  const waitForSync = async (name: string, revision: string) => {
    const deadline = Date.now() + 30_000;
    let app: any;
    while (Date.now() < deadline) {
      await sb.argocd.reconcileNow();
      app = await getApp(name);
      if (
        app.status?.sync?.status === 'Synced' &&
        app.status?.sync?.revision === revision
      ) {
        return app;
      }
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(
      `${name} never synced to ${revision}; last ${app?.status?.sync?.status}@${app?.status?.sync?.revision}`,
    );
  };

  const application = (env: string) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: `${NAME}-${env}`,
      namespace: 'argocd',
      labels: { 'backstage-name': NAME },
    },
    spec: {
      project: 'slipway',
      source: {
        repoURL: sb.repos.cloneUrl(OWNER, REPO),
        path: `charts/${NAME}`,
        targetRevision: 'main',
        helm: { valueFiles: [`values-${env}.yaml`] },
      },
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: `${NAME}-${env}`,
      },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['CreateNamespace=true'],
      },
    },
  });

  beforeAll(async () => {
    sb = await startSandbox({
      dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sb-releases-')),
      ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
      seed: true,
      buildMs: 0,
      progressingMs: 100,
      reconcileIntervalMs: 0,
    });
    await sb.idle();
    argoToken = sb.argocd.issueToken();
    deploys = [];
    for (const c of await sb.repos.log(OWNER, REPO, 'main', 200)) {
      const parsed = parseChartCommit(c.message, NAME);
      if (parsed.kind === 'deploy') {
        deploys.push({
          sha: c.sha,
          subject: c.message.split('\n')[0],
          tag: parsed.tag!,
        });
      }
    }
    // The seed builds and deploys each service three times.
    if (deploys.length < 3) {
      throw new Error(
        `expected 3 seeded deploys of ${NAME}, found ${deploys.length}`,
      );
    }
    await sb.repos.commitFiles(
      OWNER,
      REPO,
      'main',
      {
        [`charts/${NAME}/values-staging.yaml`]: [
          '# staging overrides',
          'replicaCount: 2',
          'image:',
          `  tag: ${scalar(deploys[2].tag!)} # set by promote`,
          '',
        ].join('\n'),
      },
      `chore(${NAME}): add staging`,
    );
    await sb.argocd.upsertApplication(application('dev'));
    await sb.argocd.upsertApplication(application('staging'));
    await sb.argocd.reconcileNow();

    const repo = HelmChartsRepo.fromConfig(
      new ConfigReader(sandboxAppConfig(sb)),
      { fetch: nodeFetch },
    );
    releases = new ChartReleases({ repo });
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it('refuses bad names, from === to and a forged requestedBy with InputError before any call', async () => {
    sb.faults.resetCounters();
    const reverts = { sha: deploys[0].sha, subject: deploys[0].subject };
    // Each case is a valid call with one field made bad.
    const promote = (bad: Partial<PromoteOptions>) => () =>
      releases.promote({
        name: NAME,
        from: 'dev',
        to: 'staging',
        requestedBy: USER,
        ...bad,
      });
    const rollback = (bad: Partial<RollbackOptions>) => () =>
      releases.rollback({
        name: NAME,
        environment: 'dev',
        expectTag: 'a-2',
        toTag: 'a-1',
        reverts,
        requestedBy: USER,
        ...bad,
      });
    const bad: Array<() => Promise<unknown>> = [
      promote({ name: 'Payments' }),
      promote({ to: '../prod' }),
      promote({ to: 'dev' }),
      promote({ requestedBy: `${USER}\nSlipway-Action: rollback` }),
      promote({ tag: 'a\nb' }),
      rollback({ environment: 'Dev' }),
      rollback({ toTag: 'a-2' }),
      rollback({ toTag: '.a' }),
      rollback({ reverts: { sha: 'HEAD', subject: 'x' } }),
      rollback({
        reverts: { sha: reverts.sha, subject: 'x"\n\nSlipway-Image-Tag: evil' },
      }),
    ];
    for (const call of bad) {
      await expect(call()).rejects.toThrow(InputError);
    }
    expect(sb.faults.total('github')).toBe(0);
  });

  it('promotes dev to staging in one commit that changes only the tag line of values-staging.yaml, and Argo CD syncs it', async () => {
    const before = await head();
    const devTag = deploys[0].tag;
    const stagingBefore = (await read(`charts/${NAME}/values-staging.yaml`))!;
    const logger = { info: jest.fn(), warn: jest.fn() };

    const result = await releases.promote({
      name: NAME,
      from: 'dev',
      to: 'staging',
      requestedBy: USER,
      logger,
    });

    expect(result).toEqual({
      commitSha: expect.stringMatching(/^[0-9a-f]{40}$/),
      commitUrl: `${sb.urls.github}/${OWNER}/${REPO}/commit/${result.commitSha}`,
      environment: 'staging',
      fromTag: deploys[2].tag,
      toTag: devTag,
      changed: true,
      file: `charts/${NAME}/values-staging.yaml`,
    });
    const [commit, parent] = await sb.repos.log(OWNER, REPO, 'main', 2);
    expect(commit.sha).toBe(result.commitSha);
    expect(commit.parents).toEqual([before]);
    expect(parent.sha).toBe(before);

    expect(git('diff', '--name-only', before!, commit.sha).trim()).toBe(
      `charts/${NAME}/values-staging.yaml`,
    );
    const changedLines = git('diff', '-U0', before!, commit.sha)
      .split('\n')
      .filter(l => /^[-+](?![-+]{2} )/.test(l));
    expect(changedLines).toEqual([
      `-  tag: ${scalar(deploys[2].tag!)} # set by promote`,
      `+  tag: ${scalar(devTag!)} # set by promote`,
    ]);
    expect(await read(`charts/${NAME}/values-staging.yaml`)).toBe(
      stagingBefore.replace(scalar(deploys[2].tag!), scalar(devTag!)),
    );

    expect(commit.message.split('\n')[0]).toBe(
      `promote(${NAME}): ${devTag} from dev to staging`,
    );
    promoted = { sha: commit.sha, subject: commit.message.split('\n')[0] };
    expect(parseChartCommit(commit.message, NAME)).toEqual({
      kind: 'promote',
      tag: devTag,
      environment: 'staging',
      from: 'dev',
      requestedBy: USER,
    });

    const app = await waitForSync(`${NAME}-staging`, result.commitSha);
    expect(app.status.summary.images).toContain(
      `${sb.aws.repositoryUri(NAME)}:${devTag}`,
    );
    expect(JSON.stringify(result)).not.toContain(
      SANDBOX_CREDENTIALS.githubToken,
    );
  });

  it('makes no commit, and says so, when the environment already runs the tag', async () => {
    const before = await head();
    const logger = { info: jest.fn(), warn: jest.fn() };
    const result = await releases.promote({
      name: NAME,
      from: 'dev',
      to: 'staging',
      requestedBy: USER,
      logger,
    });
    expect(result).toMatchObject({
      changed: false,
      commitSha: before,
      fromTag: deploys[0].tag,
      toTag: deploys[0].tag,
    });
    expect(await head()).toBe(before);
    expect(logger.info).toHaveBeenCalledWith(
      `staging already runs ${NAME} ${deploys[0].tag}; nothing to commit`,
    );
  });

  it('fails with InputError and writes nothing for an environment with no values file', async () => {
    const before = await head();
    sb.faults.resetCounters();
    await expect(
      releases.promote({
        name: NAME,
        from: 'dev',
        to: 'qa',
        requestedBy: USER,
      }),
    ).rejects.toThrow(/Unknown environment 'qa'/);
    await expect(
      releases.rollback({
        name: NAME,
        environment: 'qa',
        expectTag: deploys[0].tag,
        toTag: deploys[1].tag,
        reverts: { sha: deploys[0].sha, subject: deploys[0].subject },
        requestedBy: USER,
      }),
    ).rejects.toThrow(InputError);
    expect(writes()).toEqual([]);
    expect(await head()).toBe(before);
  });

  it('fails with ConflictError and commits nothing when the promoted tag is not what the caller saw', async () => {
    const before = await head();
    await expect(
      releases.promote({
        name: NAME,
        from: 'dev',
        to: 'staging',
        tag: deploys[1].tag,
        requestedBy: USER,
      }),
    ).rejects.toThrow(
      new ConflictError(
        `dev now runs ${deploys[0].tag}, not ${deploys[1].tag}; reload and try again`,
      ),
    );
    expect(await head()).toBe(before);
  });

  it("rolls dev back to the previous tag in values.yaml with git's revert wording, and Argo CD converges", async () => {
    const before = await head();
    const [last, previous] = deploys;
    const valuesBefore = (await read(`charts/${NAME}/values.yaml`))!;
    const result = await releases.rollback({
      name: NAME,
      environment: 'dev',
      expectTag: last.tag,
      toTag: previous.tag,
      reverts: { sha: last.sha, subject: last.subject },
      requestedBy: USER,
    });
    expect(result).toMatchObject({
      changed: true,
      environment: 'dev',
      fromTag: last.tag,
      toTag: previous.tag,
      file: `charts/${NAME}/values.yaml`,
    });
    const [commit] = await sb.repos.log(OWNER, REPO, 'main', 1);
    expect(commit.sha).toBe(result.commitSha);
    expect(commit.parents).toEqual([before]);
    expect(commit.message).toMatch(
      new RegExp(
        `^Revert "ci\\(${NAME}\\): deploy ${last.tag}"\n\nThis reverts commit ${last.sha}\\.\n`,
      ),
    );
    expect(parseChartCommit(commit.message, NAME)).toEqual({
      kind: 'rollback',
      tag: previous.tag,
      environment: 'dev',
      reverts: last.sha,
      requestedBy: USER,
    });
    expect(git('diff', '--name-only', before!, commit.sha).trim()).toBe(
      `charts/${NAME}/values.yaml`,
    );
    // Only the tag changed; the comments around it stay.
    expect(await read(`charts/${NAME}/values.yaml`)).toBe(
      valuesBefore.replace(
        `tag: ${scalar(last.tag!)}`,
        `tag: ${scalar(previous.tag!)}`,
      ),
    );
    expect(valuesBefore).toContain('# CI changes image.tag');

    const app = await waitForSync(`${NAME}-dev`, result.commitSha);
    expect(app.status.summary.images).toContain(
      `${sb.aws.repositoryUri(NAME)}:${previous.tag}`,
    );
    expect(app.status.summary.images).not.toContain(
      `${sb.aws.repositoryUri(NAME)}:${last.tag}`,
    );
    // Staging sets its own tag: the rollback of dev left it alone.
    const staging = await getApp(`${NAME}-staging`);
    expect(staging.status.summary.images).toContain(
      `${sb.aws.repositoryUri(NAME)}:${last.tag}`,
    );
  });

  it('fails with ConflictError and commits nothing when the environment no longer runs expectTag (stale page)', async () => {
    const [last, previous] = deploys;
    const logBefore = await sb.repos.log(OWNER, REPO, 'main', 5);
    await expect(
      releases.rollback({
        name: NAME,
        environment: 'dev',
        expectTag: last.tag,
        toTag: previous.tag,
        reverts: { sha: last.sha, subject: last.subject },
        requestedBy: USER,
      }),
    ).rejects.toThrow(
      new ConflictError(
        `dev now runs ${previous.tag}, not ${last.tag}; reload and try again`,
      ),
    );
    expect(await sb.repos.log(OWNER, REPO, 'main', 5)).toEqual(logBefore);
  });

  it('rolls staging back in values-staging.yaml, the file that sets its tag, leaving values.yaml alone', async () => {
    const before = await head();
    const result = await releases.rollback({
      name: NAME,
      environment: 'staging',
      expectTag: deploys[0].tag,
      toTag: deploys[2].tag,
      reverts: promoted,
      requestedBy: USER,
    });
    expect(result).toMatchObject({
      changed: true,
      file: `charts/${NAME}/values-staging.yaml`,
      fromTag: deploys[0].tag,
      toTag: deploys[2].tag,
    });
    expect(git('diff', '--name-only', before!, result.commitSha).trim()).toBe(
      `charts/${NAME}/values-staging.yaml`,
    );
    const [commit] = await sb.repos.log(OWNER, REPO, 'main', 1);
    expect(commit.message.split('\n')[0]).toBe(`Revert "${promoted.subject}"`);
    expect(parseChartCommit(commit.message, NAME)).toMatchObject({
      kind: 'rollback',
      environment: 'staging',
      tag: deploys[2].tag,
      reverts: promoted.sha,
    });
    const app = await waitForSync(`${NAME}-staging`, result.commitSha);
    expect(app.status.summary.images).toContain(
      `${sb.aws.repositoryUri(NAME)}:${deploys[2].tag}`,
    );
  });
});
