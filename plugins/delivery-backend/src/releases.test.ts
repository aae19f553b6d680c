import { mockCredentials } from '@backstage/backend-test-utils';
import type {
  DeliveryStatus,
  ReleaseResult,
} from '@internal/backstage-plugin-delivery-common';
import { readYaml } from '@internal/backstage-plugin-delivery-node';
import { Sandbox } from '@internal/sandbox';
import request from 'supertest';
import {
  DENIED_USER,
  serviceEntity,
  startDeliveryBackend,
  startTestSandbox,
} from './__testUtils__/harness';

jest.setTimeout(90_000);

const GUEST = mockCredentials.user.header('user:default/guest');
const REF = 'component:default/payments-api';
const CHARTS = ['slipway-demo', 'helm-charts'] as const;

describe('POST /api/delivery/promote and /rollback (commits to helm-charts, Argo CD converges)', () => {
  let sb: Sandbox;
  let started: Awaited<ReturnType<typeof startDeliveryBackend>>;

  beforeAll(async () => {
    sb = await startTestSandbox();
    // A staging environment: its values file and its own Argo CD application.
    await sb.repos.commitFiles(
      ...CHARTS,
      'main',
      {
        'charts/payments-api/values-staging.yaml':
          '# staging overrides: reviewed by people\nreplicaCount: 2\n',
      },
      'feat(payments-api): add staging',
    );
    await sb.argocd.upsertApplication({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: 'payments-api-staging',
        namespace: 'argocd',
        labels: {
          'backstage-name': 'payments-api',
          'slipway.io/owner': 'component.default.payments-api',
        },
      },
      spec: {
        project: 'slipway',
        source: {
          repoURL: `${sb.urls.github}/slipway-demo/helm-charts.git`,
          path: 'charts/payments-api',
          targetRevision: 'main',
          helm: { valueFiles: ['values-staging.yaml'] },
        },
        destination: {
          server: 'https://kubernetes.default.svc',
          namespace: 'payments-api-staging',
        },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    });
    await sb.argocd.reconcileNow();
    started = await startDeliveryBackend({
      sb,
      entities: [
        serviceEntity('payments-api', {
          'argocd/app-name': undefined,
          'argocd/app-selector': 'backstage-name=payments-api',
        }),
      ],
      delivery: { cacheTtlSeconds: 0 },
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
      .set('Authorization', GUEST);
    expect(res.status).toBe(200);
    return res.body;
  }

  const running = (s: DeliveryStatus, env: string) =>
    s.sync.data!.environments.find(e => e.environment === env)!;

  it('promotes dev to staging: one commit to values-staging.yaml, and the staging app runs the tag', async () => {
    const before = await status();
    expect(before.sync.data!.environments.map(e => e.environment)).toEqual([
      'dev',
      'staging',
    ]);
    const devTag = before.gitops.data!.changes.find(c => c.kind === 'deploy')!
      .tag!;
    const head = (await sb.repos.log(...CHARTS, 'main', 1))[0].sha;

    const res = await request(started.server)
      .post('/api/delivery/promote')
      .set('Authorization', GUEST)
      .send({ entityRef: REF, from: 'dev', to: 'staging' });
    expect(res.status).toBe(201);
    const result = res.body as ReleaseResult;
    expect(result).toMatchObject({ environment: 'staging', toTag: devTag });

    const [commit] = await sb.repos.log(...CHARTS, 'main', 1);
    expect(commit.sha).toBe(result.commitSha);
    expect(commit.parents).toEqual([head]);
    expect(commit.message).toContain('Requested-by: user:default/guest');
    const staging = await sb.repos.readFileIn(
      ...CHARTS,
      commit.sha,
      'charts/payments-api/values-staging.yaml',
    );
    expect(staging).toContain('# staging overrides: reviewed by people');
    expect(readYaml(staging!, ['image', 'tag'])).toBe(devTag);

    await sb.argocd.reconcileNow();
    const after = await status();
    const env = running(after, 'staging');
    expect(env.revision).toBe(commit.sha);
    expect(env.images.some(i => i.endsWith(`:${devTag}`))).toBe(true);
    expect(after.gitops.data!.changes[0]).toMatchObject({
      kind: 'promote',
      environment: 'staging',
      tag: devTag,
    });
    // staging now has its tag of its own, and a rollback only where its
    // own history has an earlier tag.
    expect(after.releases.find(r => r.environment === 'staging')).toMatchObject(
      { runningTag: devTag, deployed: true, pinned: true },
    );
    expect(started.auditEvents.at(-1)).toMatchObject({
      eventId: 'promote',
      outcome: 'success',
    });
  });

  it('rolls dev back: values.yaml returns to the previous tag in a revert commit, and the dev app runs it', async () => {
    const before = await status();
    const deploys = before.gitops.data!.changes.filter(
      c => c.kind === 'deploy',
    );
    const [current, previous] = deploys;
    // The page is told beforehand exactly what the route will do.
    expect(before.releases.find(r => r.environment === 'dev')).toMatchObject({
      pinned: false,
      rollback: { possible: true, fromTag: current.tag, toTag: previous.tag },
      promoteTo: 'staging',
    });
    const res = await request(started.server)
      .post('/api/delivery/rollback')
      .set('Authorization', GUEST)
      .send({ entityRef: REF, environment: 'dev' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      environment: 'dev',
      fromTag: current.tag,
      toTag: previous.tag,
    });
    const [commit] = await sb.repos.log(...CHARTS, 'main', 1);
    expect(commit.message).toContain(`This reverts commit ${current.sha}.`);
    const values = await sb.repos.readFileIn(
      ...CHARTS,
      commit.sha,
      'charts/payments-api/values.yaml',
    );
    expect(readYaml(values!, ['image', 'tag'])).toBe(previous.tag);
    expect(values).toContain('# CI changes image.tag');

    await sb.argocd.reconcileNow();
    const after = await status();
    const dev = running(after, 'dev');
    expect(dev.revision).toBe(commit.sha);
    expect(dev.images.some(i => i.endsWith(`:${previous.tag}`))).toBe(true);
    expect(after.gitops.data!.changes[0]).toMatchObject({
      kind: 'rollback',
      reverts: current.sha,
    });
    expect(started.auditEvents.at(-1)).toMatchObject({
      eventId: 'rollback',
      outcome: 'success',
    });
  });

  it('refuses without the permission, a skipped environment and an unknown one, with no commit', async () => {
    const head = (await sb.repos.log(...CHARTS, 'main', 1))[0].sha;
    const denied = await request(started.server)
      .post('/api/delivery/rollback')
      .set('Authorization', mockCredentials.user.header(DENIED_USER))
      .send({ entityRef: REF, environment: 'dev' });
    expect(denied.status).toBe(403);
    expect(started.auditEvents.at(-1)).toMatchObject({
      eventId: 'rollback',
      outcome: 'failure',
    });
    const skip = await request(started.server)
      .post('/api/delivery/promote')
      .set('Authorization', GUEST)
      .send({ entityRef: REF, from: 'dev', to: 'prod' });
    expect(skip.status).toBe(400);
    expect(skip.body.error.message).toMatch(/after dev comes staging/);
    const unknown = await request(started.server)
      .post('/api/delivery/rollback')
      .set('Authorization', GUEST)
      .send({ entityRef: REF, environment: 'qa' });
    expect(unknown.status).toBe(400);
    // prod has no tag of its own: reverting values.yaml would move dev too.
    const follows = await request(started.server)
      .post('/api/delivery/rollback')
      .set('Authorization', GUEST)
      .send({ entityRef: REF, environment: 'prod' });
    expect(follows.status).toBe(400);
    expect(follows.body.error.message).toMatch(
      /prod follows the tag CI sets .* roll back dev/,
    );
    const service = await request(started.server)
      .post('/api/delivery/rollback')
      .set('Authorization', mockCredentials.service.header())
      .send({ entityRef: REF, environment: 'dev' });
    expect(service.status).toBe(403);
    expect((await sb.repos.log(...CHARTS, 'main', 1))[0].sha).toBe(head);
  });
});
