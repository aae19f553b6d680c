/*
 * The whole road with no Backstage in it, through the real clients only:
 * create a repo, push a commit, see the Jenkins build, the image in ECR,
 * the tag bump in helm-charts, and the Argo CD app Synced and Healthy at
 * that revision. Then a fresh, seeded sandbox: the example services have a
 * history and are Healthy, the non-prod and prod EKS clusters are Argo CD
 * destinations, and a pull request merged into helm-charts is synced.
 */

import { parse as parseYaml } from 'yaml';
import {
  DescribeImagesCommand,
  ECRClient,
  CreateRepositoryCommand,
} from '@aws-sdk/client-ecr';
import {
  DescribeClusterCommand,
  EKSClient,
  ListClustersCommand,
} from '@aws-sdk/client-eks';
import { Octokit } from '@octokit/rest';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loopbackRequest } from './__testUtils__/loopback';
import { SEED } from './seed';
import { Sandbox, SANDBOX_CREDENTIALS, startSandbox } from './server';

const execFileP = promisify(execFile);
jest.setTimeout(120_000);

const nodeFetch = (require('undici') as { fetch: typeof fetch }).fetch;

const call = loopbackRequest;

const ports = { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 };
const jenkinsAuth = `Basic ${Buffer.from(
  `${SANDBOX_CREDENTIALS.jenkinsUser}:${SANDBOX_CREDENTIALS.jenkinsToken}`,
).toString('base64')}`;

async function argoToken(sb: Sandbox) {
  const res = await call(`${sb.urls.argocd}/api/v1/session`, {
    method: 'POST',
    body: {
      username: SANDBOX_CREDENTIALS.argocdUser,
      password: SANDBOX_CREDENTIALS.argocdPassword,
    },
  });
  expect(res.status).toBe(200);
  return res.body.token as string;
}

/** Reconciles until the app reaches the wanted state, or fails naming the last one. */
async function waitForApp(
  sb: Sandbox,
  token: string,
  name: string,
  want: (app: any) => boolean,
) {
  const deadline = Date.now() + 30_000;
  let app: any;
  while (Date.now() < deadline) {
    await sb.argocd.reconcileNow();
    app = (
      await call(`${sb.urls.argocd}/api/v1/applications/${name}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).body;
    if (want(app)) return app;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(
    `app ${name} never reached the wanted state; last: sync ${
      app?.status?.sync?.status
    }@${app?.status?.sync?.revision}, health ${app?.status?.health?.status} ${
      app?.status?.health?.message ?? ''
    }`,
  );
}

describe('the sandbox loop', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-loop-'));
    dirs.push(d);
    return d;
  };
  afterAll(() =>
    dirs.forEach(d => fs.rmSync(d, { recursive: true, force: true })),
  );

  it('takes a push to Healthy: Jenkins build, ECR image, helm-charts bump, Argo CD sync', async () => {
    const sb = await startSandbox({
      dataDir: tmp(),
      ports,
      seed: false,
      helmCharts: { owner: 'acme', repo: 'helm-charts', branch: 'main' },
      buildMs: 50,
      progressingMs: 300,
      reconcileIntervalMs: 0,
    });
    try {
      sb.github.ensureUser('acme', 'Organization');
      const octokit = new Octokit({
        auth: SANDBOX_CREDENTIALS.githubToken,
        baseUrl: sb.urls.githubApi,
        request: { fetch: nodeFetch },
      });
      const ecr = new ECRClient({
        endpoint: sb.urls.aws,
        region: 'eu-west-1',
        credentials: SANDBOX_CREDENTIALS.aws,
      });

      // The platform side: helm-charts with the service's chart, ECR repo, Argo CD app.
      await octokit.repos.createInOrg({ org: 'acme', name: 'helm-charts' });
      await octokit.repos.createOrUpdateFileContents({
        owner: 'acme',
        repo: 'helm-charts',
        path: 'charts/orders/values.yaml',
        message: 'feat(orders): register chart',
        content: Buffer.from(
          'image:\n  repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders\n  tag: bootstrap # CI\n',
        ).toString('base64'),
      });
      await ecr.send(
        new CreateRepositoryCommand({
          repositoryName: 'orders',
          imageTagMutability: 'IMMUTABLE',
        }),
      );

      const token = await argoToken(sb);
      const auth = { authorization: `Bearer ${token}` };
      const chartsUrl = `${sb.urls.github}/acme/helm-charts.git`;
      const project = await call(`${sb.urls.argocd}/api/v1/projects`, {
        method: 'POST',
        headers: auth,
        body: {
          project: {
            metadata: { name: 'acme' },
            spec: {
              sourceRepos: ['*'],
              destinations: [{ server: '*', namespace: '*' }],
            },
          },
        },
      });
      expect(project.status).toBe(200);
      const created = await call(`${sb.urls.argocd}/api/v1/applications`, {
        method: 'POST',
        headers: auth,
        body: {
          metadata: { name: 'orders' },
          spec: {
            project: 'acme',
            source: {
              repoURL: chartsUrl,
              path: 'charts/orders',
              targetRevision: 'main',
            },
            destination: {
              server: 'https://kubernetes.default.svc',
              namespace: 'orders',
            },
            syncPolicy: { automated: { prune: true, selfHeal: true } },
          },
        },
      });
      expect(created.status).toBe(200);

      // The developer side: a repo with a Jenkinsfile, one push.
      await octokit.repos.createInOrg({ org: 'acme', name: 'orders' });
      const work = tmp();
      const remote = sb.urls.github.replace(
        'http://',
        `http://x-access-token:${SANDBOX_CREDENTIALS.githubToken}@`,
      );
      const env = {
        ...process.env,
        GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: work,
      };
      const g = (...args: string[]) =>
        execFileP('git', ['-C', path.join(work, 'orders'), ...args], { env });
      await execFileP(
        'git',
        ['clone', '-q', `${remote}/acme/orders.git`, path.join(work, 'orders')],
        { env },
      );
      fs.writeFileSync(
        path.join(work, 'orders', 'Jenkinsfile'),
        'pipeline {}\n',
      );
      await g('add', '.');
      await g(
        '-c',
        'user.name=Dana',
        '-c',
        'user.email=dana@example.com',
        'commit',
        '-q',
        '-m',
        'feat: orders',
      );
      await g('push', '-q', 'origin', 'HEAD:main');
      const sha = (await g('rev-parse', 'HEAD')).stdout.trim();
      const tag = `${sha.slice(0, 7)}-1`;
      await sb.idle();

      // Jenkins: the build for that commit succeeded.
      const job = await call(
        `${sb.urls.jenkins}/job/acme/job/orders/api/json`,
        {
          headers: { authorization: jenkinsAuth },
        },
      );
      expect(job.status).toBe(200);
      const build = job.body.builds[0];
      expect(build).toMatchObject({
        number: 1,
        result: 'SUCCESS',
        building: false,
      });
      const revision = build.actions.find(
        (a: any) => a.lastBuiltRevision,
      )?.lastBuiltRevision;
      expect(revision.SHA1).toBe(sha);
      expect((await call(`${sb.urls.jenkins}/api/json`)).status).toBe(401);

      // ECR: the image <sha7>-<build>, scanned.
      const images = await ecr.send(
        new DescribeImagesCommand({ repositoryName: 'orders' }),
      );
      const image = images.imageDetails?.find(d => d.imageTags?.includes(tag));
      expect(image).toBeDefined();
      expect(image?.imageScanStatus?.status).toBe('COMPLETE');

      // helm-charts: the bump commit.
      const values = await octokit.repos.getContent({
        owner: 'acme',
        repo: 'helm-charts',
        path: 'charts/orders/values.yaml',
      });
      const text = Buffer.from(
        (values.data as any).content,
        'base64',
      ).toString();
      // The tag is set (quoted when it would read as a number, e.g.
      // 773323e-2) and the line keeps its comment.
      expect(parseYaml(text).image.tag).toBe(tag);
      expect(text).toMatch(/\n {2}tag: .* # CI/);
      const bump = (
        await octokit.repos.listCommits({
          owner: 'acme',
          repo: 'helm-charts',
          per_page: 1,
        })
      ).data[0];
      expect(bump.commit.message).toContain(`deploy ${tag}`);

      // Argo CD: Synced and Healthy at the bump commit, with the image.
      const app = await waitForApp(
        sb,
        token,
        'orders',
        a =>
          a.status?.sync?.status === 'Synced' &&
          a.status?.health?.status === 'Healthy',
      );
      expect(app.status.sync.revision).toBe(bump.sha);
      expect(app.status.summary.images).toContain(
        `123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:${tag}`,
      );
      expect(app.status.history.at(-1).revision).toBe(bump.sha);
    } finally {
      await sb.stop();
    }
  });

  it('seeds a fresh sandbox with the example services, built and Healthy', async () => {
    const sb = await startSandbox({
      dataDir: tmp(),
      ports,
      progressingMs: 100,
      reconcileIntervalMs: 0,
    });
    try {
      const token = await argoToken(sb);
      for (const name of ['payments-api', 'ledger-worker', 'docs-portal']) {
        const app = await waitForApp(
          sb,
          token,
          name,
          a =>
            a.status?.sync?.status === 'Synced' &&
            a.status?.health?.status === 'Healthy',
        );
        expect(app.status.history.length).toBeGreaterThanOrEqual(3);
      }
      const job = await call(
        `${sb.urls.jenkins}/job/slipway-demo/job/payments-api/api/json`,
        {
          headers: { authorization: jenkinsAuth },
        },
      );
      expect(job.body.builds).toHaveLength(3);
      expect(
        sb.github.getRepo('slipway-demo', 'docs-portal')?.runs,
      ).toHaveLength(3);

      // Two EKS clusters with their own issuers, each an Argo CD
      // destination at the endpoint EKS gives for it.
      const eks = new EKSClient({
        endpoint: sb.urls.aws,
        region: SEED.region,
        credentials: SANDBOX_CREDENTIALS.aws,
      });
      const { clusters } = await eks.send(new ListClustersCommand({}));
      expect(clusters).toEqual([SEED.clusters.nonprod, SEED.clusters.prod]);
      const described = await Promise.all(
        clusters!.map(
          async name =>
            (
              await eks.send(new DescribeClusterCommand({ name }))
            ).cluster!,
        ),
      );
      eks.destroy();
      expect(described[0].identity?.oidc?.issuer).not.toBe(
        described[1].identity?.oidc?.issuer,
      );
      const auth = { authorization: `Bearer ${token}` };
      const argoClusters = await call(`${sb.urls.argocd}/api/v1/clusters`, {
        headers: auth,
      });
      expect(
        argoClusters.body.items.map((c: any) => [c.name, c.server]),
      ).toEqual([
        ...described.map(c => [c.name, c.endpoint]),
        ['in-cluster', 'https://kubernetes.default.svc'],
      ]);
      const project = await call(`${sb.urls.argocd}/api/v1/projects/slipway`, {
        headers: auth,
      });
      expect(project.body.spec.destinations).toEqual(
        expect.arrayContaining(
          described.flatMap(c => [
            { name: c.name, namespace: '*' },
            { server: c.endpoint, namespace: '*' },
          ]),
        ),
      );

      // A change to helm-charts by pull request: the merge is a push, which
      // nudges Argo CD (no reconcile is asked for here) to sync the merge.
      const octokit = new Octokit({
        auth: SANDBOX_CREDENTIALS.githubToken,
        baseUrl: sb.urls.githubApi,
        request: { fetch: nodeFetch },
      });
      const o = { owner: SEED.org, repo: 'helm-charts' };
      const file = 'charts/payments-api/values-dev.yaml';
      const main = await octokit.git.getRef({ ...o, ref: 'heads/main' });
      await octokit.git.createRef({
        ...o,
        ref: 'refs/heads/debug-payments-dev',
        sha: main.data.object.sha,
      });
      const current = await octokit.repos.getContent({ ...o, path: file });
      await octokit.repos.createOrUpdateFileContents({
        ...o,
        path: file,
        branch: 'debug-payments-dev',
        message: 'chore(payments-api): debug logs in dev',
        content: Buffer.from(
          '# dev overrides\nreplicaCount: 1\nenv:\n  LOG_LEVEL: debug\n',
        ).toString('base64'),
        sha: (current.data as { sha: string }).sha,
      });
      const pr = await octokit.pulls.create({
        ...o,
        title: 'Debug logs for payments-api in dev',
        head: 'debug-payments-dev',
        base: 'main',
      });
      const merged = await octokit.pulls.merge({
        ...o,
        pull_number: pr.data.number,
      });
      const deadline = Date.now() + 30_000;
      let app: any;
      do {
        await new Promise(r => setTimeout(r, 100));
        app = (
          await call(`${sb.urls.argocd}/api/v1/applications/payments-api`, {
            headers: auth,
          })
        ).body;
      } while (
        !(
          app.status.sync.revision === merged.data.sha &&
          app.status.sync.status === 'Synced'
        ) &&
        Date.now() < deadline
      );
      expect(app.status.sync).toMatchObject({
        status: 'Synced',
        revision: merged.data.sha,
      });
      expect(app.status.history.at(-1).revision).toBe(merged.data.sha);
    } finally {
      await sb.stop();
    }
  });
});
