import { mockCredentials } from '@backstage/backend-test-utils';
import type {
  DeliveryStatus,
  ReleaseResult,
} from '@internal/backstage-plugin-delivery-common';
import { readYaml } from '@internal/backstage-plugin-delivery-node';
import { Sandbox, SANDBOX_CREDENTIALS, SEED } from '@internal/sandbox';
import request from 'supertest';
import {
  DANA,
  GUEST,
  sandboxConfigData,
  serviceEntity,
  startDeliveryBackend,
  startTestSandbox,
  undiciFetch,
} from './__testUtils__/harness';

jest.setTimeout(90_000);

const REF = 'component:default/payments-api';
const CHARTS = ['slipway-demo', 'helm-charts'] as const;
const PROD_VALUES = 'charts/payments-api/values-prod.yaml';

/**
 * An environment whose promotions need an approval (`changes:
 * pull-request`): Promote opens a pull request in helm-charts instead of
 * committing, the page shows it, and prod moves when it is merged.
 */
describe('promotion into an environment that requires a pull request', () => {
  let sb: Sandbox;
  let started: Awaited<ReturnType<typeof startDeliveryBackend>>;

  beforeAll(async () => {
    sb = await startTestSandbox();
    // prod: its own cluster, its own Application (the seed has dev's).
    await sb.argocd.upsertApplication({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: 'payments-api-prod',
        namespace: 'argocd',
        labels: {
          'slipway.io/owner': 'component.default.payments-api',
          'slipway.io/environment': 'prod',
        },
        annotations: { 'slipway.io/owner': REF },
      },
      spec: {
        project: SEED.argocdProject,
        source: {
          repoURL: `${sb.urls.github}/slipway-demo/helm-charts.git`,
          path: 'charts/payments-api',
          targetRevision: 'main',
          helm: { valueFiles: ['values-prod.yaml'] },
        },
        destination: { name: SEED.clusters.prod, namespace: 'payments-api' },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    });
    await sb.argocd.reconcileNow();

    const base = sandboxConfigData(sb, { cacheTtlSeconds: 0 }) as any;
    started = await startDeliveryBackend({
      sb,
      entities: [
        serviceEntity('payments-api', {
          'argocd/app-name': undefined,
          'argocd/app-selector':
            'slipway.io/owner=component.default.payments-api',
        }),
      ],
      config: {
        slipway: {
          ...base.slipway,
          environments: [
            // Names no instance: the default one, which prod names.
            { name: 'dev' },
            {
              name: 'prod',
              argocd: {
                instance: 'sandbox',
                destination: { name: SEED.clusters.prod },
              },
              cluster: { name: SEED.clusters.prod },
              changes: 'pull-request',
            },
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await started?.backend.stop();
    await sb?.stop();
  });

  async function status(): Promise<DeliveryStatus> {
    const res = await request(started.server)
      .get('/api/delivery/status')
      .query({ entityRef: REF })
      .set('Authorization', mockCredentials.user.header(GUEST));
    expect(res.status).toBe(200);
    return res.body;
  }
  const head = async () => (await sb.repos.log(...CHARTS, 'main', 1))[0].sha;
  const prodTagOn = async (sha: string) =>
    readYaml((await sb.repos.readFileIn(...CHARTS, sha, PROD_VALUES))!, [
      'image',
      'tag',
    ]);
  const github = (path: string, init: RequestInit = {}) =>
    undiciFetch(`${sb.urls.githubApi}${path}`, {
      ...init,
      headers: {
        authorization: `token ${SANDBOX_CREDENTIALS.githubToken}`,
        'content-type': 'application/json',
      },
    });

  it('refuses another team before any write; opens a pull request for the owners, shows it, and prod moves when it is merged', async () => {
    const before = await status();
    expect(before.sync.data!.environments.map(e => e.environment)).toEqual([
      'dev',
      'prod',
    ]);
    expect(before.gitops.data!.promotions).toEqual([]);
    const devTag = before.releases.find(r => r.environment === 'dev')!
      .runningTag!;
    const mainBefore = await head();

    // dana (docs-team) does not own payments-api: refused, nothing written.
    sb.faults.resetCounters();
    const refused = await request(started.server)
      .post('/api/delivery/promote')
      .set('Authorization', mockCredentials.user.header(DANA))
      .send({ entityRef: REF, from: 'dev', to: 'prod' });
    expect(refused.status).toBe(403);
    expect(sb.faults.mutations().github ?? {}).toEqual({});
    expect(started.auditEvents.at(-1)).toMatchObject({
      eventId: 'promote',
      outcome: 'failure',
    });

    // guest (payments-team) owns it: a pull request, main untouched.
    const res = await request(started.server)
      .post('/api/delivery/promote')
      .set('Authorization', mockCredentials.user.header(GUEST))
      .send({ entityRef: REF, from: 'dev', to: 'prod' });
    expect(res.status).toBe(201);
    const result = res.body as ReleaseResult;
    expect(result).toMatchObject({ environment: 'prod', toTag: devTag });
    expect(result.pullRequestUrl).toMatch(
      /\/slipway-demo\/helm-charts\/pull\/\d+$/,
    );
    expect(await head()).toBe(mainBefore);
    expect(await prodTagOn(mainBefore)).not.toBe(devTag);
    expect(started.auditEvents.at(-1)).toMatchObject({
      eventId: 'promote',
      outcome: 'success',
    });

    // The page shows the open promotion: into prod, which tag, who asked.
    const number = Number(result.pullRequestUrl!.split('/').pop());
    const waiting = await status();
    expect(waiting.gitops.data!.promotions).toEqual([
      {
        environment: 'prod',
        from: 'dev',
        tag: devTag,
        requestedBy: GUEST,
        number,
        url: result.pullRequestUrl,
        state: 'open',
        openedAt: expect.any(String),
      },
    ]);

    // A reviewer merges it through GitHub's API: prod deploys the tag.
    const merged = await github(
      `/repos/slipway-demo/helm-charts/pulls/${number}/merge`,
      { method: 'PUT', body: JSON.stringify({ merge_method: 'merge' }) },
    );
    expect(merged.status).toBe(200);
    const mergeSha = ((await merged.json()) as { sha: string }).sha;
    expect(await head()).toBe(mergeSha);
    expect(await prodTagOn(mergeSha)).toBe(devTag);

    await sb.argocd.reconcileNow();
    const after = await status();
    const prod = after.sync.data!.environments.find(
      e => e.environment === 'prod',
    )!;
    expect(prod.revision).toBe(mergeSha);
    expect(prod.images.some(i => i.endsWith(`:${devTag}`))).toBe(true);
    expect(after.gitops.data!.promotions).toEqual([]);
  });
});
