import { mockCredentials } from '@backstage/backend-test-utils';
import type { DeliveryStatus } from '@internal/backstage-plugin-delivery-common';
import { Sandbox } from '@internal/sandbox';
import request from 'supertest';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  createServiceFactory,
  type BackendFeature,
} from '@backstage/backend-plugin-api';
import {
  signalsServiceRef,
  type SignalPayload,
} from '@backstage/plugin-signals-node';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import {
  DENIED_USER,
  OUTSIDER,
  serviceEntity,
  startDeliveryBackend,
  startTestSandbox,
  undiciFetch,
} from './__testUtils__/harness';

jest.setTimeout(60_000);

const GUEST = mockCredentials.user.header('user:default/guest');

describe('GET /api/delivery/status (through the HTTP stack, against the sandbox)', () => {
  let sb: Sandbox;

  beforeAll(async () => {
    sb = await startTestSandbox();
  });
  afterAll(async () => {
    await sb?.stop();
  });
  beforeEach(() => {
    sb.faults.clear();
    sb.faults.resetCounters();
  });

  async function status(
    server: Parameters<typeof request>[0],
    entityRef: string,
    auth = GUEST,
  ) {
    return request(server)
      .get('/api/delivery/status')
      .query({ entityRef })
      .set('Authorization', auth);
  }

  it('returns every section, the timeline to healthy, and the DORA windows for a seeded service', async () => {
    const { backend, server } = await startDeliveryBackend({
      sb,
      entities: [serviceEntity('payments-api')],
    });
    try {
      const res = await status(server, 'component:default/payments-api');
      expect(res.status).toBe(200);
      const body = res.body as DeliveryStatus;
      for (const s of ['source', 'build', 'image', 'sync', 'gitops'] as const) {
        expect({ [s]: body[s].state }).toEqual({ [s]: 'ok' });
      }
      const head = body.source.data!.commits[0];
      expect(body.build.data!.provider).toBe('jenkins');
      expect(body.build.data!.builds[0].commitSha).toBe(head.sha);
      const newest = body.image.data!.images[0];
      expect(newest.tags[0]).toMatch(
        new RegExp(`^${head.sha.slice(0, 7)}-\\d+$`),
      );
      // The image Argo CD runs in dev is marked as such.
      expect(newest.environments).toEqual(['dev']);
      const dev = body.sync.data!.environments[0];
      expect(dev).toMatchObject({
        environment: 'dev',
        appName: 'payments-api',
        syncStatus: 'Synced',
      });
      expect(body.gitops.data!.changes[0]).toMatchObject({
        kind: 'deploy',
        tag: newest.tags[0],
      });
      const entry = body.timeline[0];
      expect(entry.commit.sha).toBe(head.sha);
      expect(entry.imageTag).toBe(newest.tags[0]);
      expect(
        Object.fromEntries(
          Object.entries(entry.hops).map(([k, h]) => [k, h.state]),
        ),
      ).toEqual({
        pushed: 'done',
        built: 'done',
        imagePushed: 'done',
        tagBumped: 'done',
        synced: 'done',
        healthy: dev.healthStatus === 'Healthy' ? 'done' : 'running',
      });
      expect(body.dora!.environment).toBe('dev');
      expect(body.dora!.windows.map(w => w.days)).toEqual([7, 30, 90]);
      expect(body.dora!.windows[0].deployments).toBe(3);
      // Nothing secret reaches the browser.
      expect(JSON.stringify(body)).not.toMatch(
        /sandbox-github-token|sandbox-argocd-password|sandbox-jenkins-token|slipwaySandboxOnlySecret/,
      );
    } finally {
      await backend.stop();
    }
  });

  it('reads GitHub Actions runs for a service without a Jenkins job, and the Argo CD instance its annotation names', async () => {
    const { backend, server } = await startDeliveryBackend({
      sb,
      entities: [
        serviceEntity('docs-portal', {
          'jenkins.io/job-full-name': undefined,
          'slipway.io/argocd-instance': 'second',
        }),
      ],
      argocdInstances: ['sandbox', 'second'],
    });
    try {
      const body = (await status(server, 'component:default/docs-portal'))
        .body as DeliveryStatus;
      expect(body.build.state).toBe('ok');
      expect(body.build.data!.provider).toBe('github-actions');
      expect(body.build.data!.builds[0]).toMatchObject({
        status: 'succeeded',
        commitSha: body.source.data!.commits[0].sha,
      });
      expect(body.sync.data!.environments[0]).toMatchObject({
        instance: 'second',
        appName: 'docs-portal',
      });
      expect(body.timeline[0].hops.imagePushed.state).toBe('done');
    } finally {
      await backend.stop();
    }
  });

  it('makes one upstream call per source for twenty concurrent loads (coalescing and TTL cache)', async () => {
    const { backend, server } = await startDeliveryBackend({
      sb,
      entities: [serviceEntity('ledger-worker')],
    });
    try {
      const loads = await Promise.all(
        Array.from({ length: 20 }, () =>
          status(server, 'component:default/ledger-worker'),
        ),
      );
      expect(loads.every(r => r.status === 200)).toBe(true);
      // A later load inside the TTL is served from the cache.
      expect(
        (await status(server, 'component:default/ledger-worker')).status,
      ).toBe(200);
      const c = sb.faults.counters();
      expect(c.jenkins).toEqual({ [Object.keys(c.jenkins ?? {})[0]]: 1 });
      // Argo CD, once per source: the application, and the runtime's tree,
      // live Deployment and HPA (two objects) and the Deployment's events.
      expect(c.argocd).toEqual({
        'argocd:SessionService_Create': 1,
        'argocd:ApplicationService_Get': 1,
        'argocd:ApplicationService_ResourceTree': 1,
        'argocd:ApplicationService_GetResource': 2,
        'argocd:ApplicationService_ListResourceEvents': 1,
      });
      // GitHub, once each: the app repo's commits and its catalog-info.yaml
      // (the binding check), the chart's history in helm-charts, and the
      // helm-charts branch's newest commits.
      expect(sb.faults.counters().github).toEqual({
        'repos/list-commits': 3,
        'repos/get-content': 1,
      });
      // ECR: DescribeImages and ListTagsForResource (the owner check), once each.
      expect(sb.faults.total('aws')).toBe(2);
    } finally {
      await backend.stop();
    }
  });

  it('answers 403 when the permission is denied, before any upstream call', async () => {
    const { backend, server } = await startDeliveryBackend({
      sb,
      entities: [serviceEntity('payments-api')],
    });
    try {
      const res = await status(
        server,
        'component:default/payments-api',
        mockCredentials.user.header(DENIED_USER),
      );
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('NotAllowedError');
      expect(sb.faults.counters()).toEqual({});
    } finally {
      await backend.stop();
    }
  });

  it('answers 404 for an entity the caller cannot see, and 400 for a bad ref', async () => {
    const { backend, server } = await startDeliveryBackend({
      sb,
      entities: [serviceEntity('payments-api')],
    });
    try {
      const hidden = await status(
        server,
        'component:default/payments-api',
        mockCredentials.user.header(OUTSIDER),
      );
      expect(hidden.status).toBe(404);
      expect((await status(server, 'component:default/nope')).status).toBe(404);
      expect((await status(server, 'kind:')).status).toBe(400);
      expect(
        (
          await request(server)
            .get('/api/delivery/status')
            .set('Authorization', GUEST)
        ).status,
      ).toBe(400);
      expect(
        (
          await request(server)
            .get('/api/delivery/status')
            .query({ entityRef: 'component:default/payments-api' })
            .set('Authorization', mockCredentials.none.header())
        ).status,
      ).toBe(401);
      expect(sb.faults.counters()).toEqual({});
    } finally {
      await backend.stop();
    }
  });

  it("refuses annotations that point at another service's ECR repository or Argo CD application", async () => {
    const { backend, server } = await startDeliveryBackend({
      sb,
      entities: [
        serviceEntity('impostor', {
          'github.com/project-slug': 'slipway-demo/payments-api',
          'jenkins.io/job-full-name': undefined,
          'argocd/app-name': 'payments-api',
          'aws.amazon.com/aws-ecr-repository-arn':
            'arn:aws:ecr:eu-west-1:123456789012:repository/payments-api',
        }),
      ],
    });
    try {
      const body = (await status(server, 'component:default/impostor'))
        .body as DeliveryStatus;
      expect(body.image).toMatchObject({
        state: 'error',
        error: { kind: 'forbidden' },
      });
      expect(body.image.error!.message).toContain(
        'component:default/payments-api',
      );
      // payments-api's repository declares payments-api, not the impostor.
      expect(body.source).toMatchObject({
        state: 'error',
        error: {
          kind: 'forbidden',
          message:
            'GitHub repository slipway-demo/payments-api is not proven to belong to this service: its catalog-info.yaml does not declare component:default/impostor',
        },
      });
      expect(body.source.data).toBeUndefined();
      expect(body.image.data).toBeUndefined();
      expect(body.sync).toMatchObject({
        state: 'error',
        error: { kind: 'forbidden' },
      });
      expect(body.sync.data).toBeUndefined();
    } finally {
      await backend.stop();
    }
  });

  it('refuses annotations outside the allow-lists, before any call to those upstreams', async () => {
    const { backend, server } = await startDeliveryBackend({
      sb,
      delivery: { allowed: { argocdInstances: ['production'] } },
      entities: [
        serviceEntity('stranger', {
          'github.com/project-slug': 'other-org/secrets',
          'jenkins.io/job-full-name': 'other-folder/deploy-prod',
          'aws.amazon.com/aws-ecr-repository-arn':
            'arn:aws:ecr:eu-west-1:999999999999:repository/stranger',
        }),
      ],
    });
    try {
      const body = (await status(server, 'component:default/stranger'))
        .body as DeliveryStatus;
      const outside = (section: {
        error?: { kind: string; message: string };
      }) => [section.error?.kind, section.error?.message];
      expect(outside(body.source)).toEqual([
        'forbidden',
        'github.com/project-slug names other-org, outside slipway.delivery.allowed.githubOrgs (slipway-demo); Slipway does not read it',
      ]);
      expect(outside(body.build)).toEqual([
        'forbidden',
        'jenkins.io/job-full-name names other-folder, outside slipway.delivery.allowed.jenkinsFolders (slipway-demo); Slipway does not read it',
      ]);
      expect(outside(body.image)).toEqual([
        'forbidden',
        'aws.amazon.com/aws-ecr-repository-arn names 999999999999, outside slipway.delivery.allowed.awsAccounts (123456789012); Slipway does not read it',
      ]);
      expect(outside(body.sync)).toEqual([
        'forbidden',
        'slipway.io/argocd-instance names sandbox, outside slipway.delivery.allowed.argocdInstances (production); Slipway does not read it',
      ]);
      // Only the helm-charts history (found by the entity name) was read.
      expect(Object.keys(sb.faults.counters())).toEqual(['github']);
    } finally {
      await backend.stop();
    }
  });

  it('reports an ECR repository and an Argo CD application without a binding as not proven to belong, unless the installation opts out', async () => {
    sb.aws.ensureRepository('legacy', {});
    await sb.argocd.upsertApplication({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'legacy', namespace: 'argocd' },
      spec: {
        project: 'default',
        source: {
          repoURL: `${sb.urls.github}/slipway-demo/helm-charts.git`,
          path: 'charts/payments-api',
          targetRevision: 'main',
        },
        destination: {
          server: 'https://kubernetes.default.svc',
          namespace: 'legacy',
        },
      },
    } as any);
    const strict = await startDeliveryBackend({
      sb,
      entities: [serviceEntity('legacy')],
    });
    try {
      const body = (await status(strict.server, 'component:default/legacy'))
        .body as DeliveryStatus;
      expect(body.image).toMatchObject({
        state: 'error',
        error: {
          kind: 'forbidden',
          message:
            'ECR repository legacy is not proven to belong to this service: it carries no slipway.io/owner binding to component:default/legacy',
        },
      });
      expect(body.image.data).toBeUndefined();
      expect(body.sync).toMatchObject({
        state: 'error',
        error: {
          kind: 'forbidden',
          message:
            'Argo CD application legacy is not proven to belong to this service: it carries no slipway.io/owner binding to component:default/legacy',
        },
      });
    } finally {
      await strict.backend.stop();
    }

    const optedOut = await startDeliveryBackend({
      sb,
      delivery: { requireBinding: { ecr: false, argocd: false } },
      entities: [serviceEntity('legacy')],
    });
    try {
      const body = (await status(optedOut.server, 'component:default/legacy'))
        .body as DeliveryStatus;
      expect(body.image.state).toBe('ok');
      expect(body.sync.state).toBe('ok');
    } finally {
      await optedOut.backend.stop();
    }
  });

  it('says which annotation is missing, without calling anything', async () => {
    const { backend, server } = await startDeliveryBackend({
      sb,
      entities: [
        serviceEntity('bare', {
          'github.com/project-slug': undefined,
          'jenkins.io/job-full-name': undefined,
          'argocd/app-name': undefined,
          'aws.amazon.com/aws-ecr-repository-arn': undefined,
        }),
      ],
    });
    try {
      const body = (await status(server, 'component:default/bare'))
        .body as DeliveryStatus;
      expect(body.source).toMatchObject({ state: 'missing' });
      expect(body.source.error!.message).toContain('github.com/project-slug');
      expect(body.build.error!.message).toContain('jenkins.io/job-full-name');
      expect(body.image.error!.message).toContain(
        'aws.amazon.com/aws-ecr-repository-arn',
      );
      expect(body.sync.error!.message).toContain('argocd/app-name');
      expect(body.timeline).toEqual([]);
      // Only the helm-charts history (found by the entity name) was read.
      expect(Object.keys(sb.faults.counters())).toEqual(['github']);
    } finally {
      await backend.stop();
    }
  });

  it('renders the other sections when Jenkins fails, and names the failing upstream', async () => {
    const { backend, server } = await startDeliveryBackend({
      sb,
      entities: [serviceEntity('payments-api')],
    });
    try {
      sb.faults.set({ jenkins: { errorRate: 1, errorStatuses: [503] } });
      const body = (await status(server, 'component:default/payments-api'))
        .body as DeliveryStatus;
      expect(body.build).toMatchObject({
        state: 'error',
        error: { kind: 'upstream' },
      });
      expect(body.build.error!.message).toMatch(/CI/);
      expect(body.build.error!.message).not.toContain('sandbox-jenkins-token');
      for (const s of ['source', 'image', 'sync', 'gitops'] as const) {
        expect({ [s]: body[s].state }).toEqual({ [s]: 'ok' });
      }
      expect(body.timeline[0].hops.built.state).toBe('unknown');
      expect(body.timeline[0].hops.imagePushed.state).toBe('done');
    } finally {
      await backend.stop();
    }
  });

  it('serves the last good answer marked stale while Argo CD is down, with since when', async () => {
    const { backend, server } = await startDeliveryBackend({
      sb,
      entities: [serviceEntity('payments-api')],
      delivery: { cacheTtlSeconds: 0, failureTtlSeconds: 0 },
    });
    try {
      const good = (await status(server, 'component:default/payments-api'))
        .body as DeliveryStatus;
      expect(good.sync.state).toBe('ok');
      sb.faults.set({ argocd: { errorRate: 1, errorStatuses: [500] } });
      const first = (await status(server, 'component:default/payments-api'))
        .body as DeliveryStatus;
      const second = (await status(server, 'component:default/payments-api'))
        .body as DeliveryStatus;
      for (const outage of [first, second]) {
        expect(outage.sync.state).toBe('stale');
        expect(outage.sync.data).toEqual(good.sync.data);
        expect(outage.sync.fetchedAt).toBe(good.sync.fetchedAt);
        expect(outage.sync.error!.message).toMatch(/Argo CD/);
      }
      // "Since" is the first failure, not the latest.
      expect(second.sync.error!.since).toBe(first.sync.error!.since);
      sb.faults.clear();
      const back = (await status(server, 'component:default/payments-api'))
        .body as DeliveryStatus;
      expect(back.sync.state).toBe('ok');
      expect(back.sync.error).toBeUndefined();
    } finally {
      await backend.stop();
    }
  });
});

/*
 * The GitHub events module's default export loads its two modules with a
 * dynamic import(), which Jest cannot run; its files are required directly.
 */
function githubEventsModule(file: string): BackendFeature {
  const dir = path.dirname(
    require.resolve(
      '@backstage/plugin-events-backend-module-github/package.json',
    ),
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(dir, 'dist/service', file)).default;
}
const eventsModuleGithubEventRouter = githubEventsModule(
  'eventsModuleGithubEventRouter.cjs.js',
);
const eventsModuleGithubWebhook = githubEventsModule(
  'eventsModuleGithubWebhook.cjs.js',
);

describe('GitHub push webhooks (events backend, topic github.push)', () => {
  let sb: Sandbox;

  beforeAll(async () => {
    sb = await startTestSandbox();
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it('shows a pushed commit at the next load instead of after the cache TTL, signals the open pages, and refuses unsigned deliveries', async () => {
    const secret = 'test-webhook-secret';
    // The signals the plugin publishes (the signals backend would send them
    // over the events bus to the browsers subscribed to each channel).
    const signalled: SignalPayload[] = [];
    const { backend, server } = await startDeliveryBackend({
      sb,
      entities: [serviceEntity('ledger-worker')],
      delivery: { cacheTtlSeconds: 600, activeCacheTtlSeconds: 600 },
      config: {
        events: {
          // One backend instance: the in-process bus, no database long-poll.
          useEventBus: 'never',
          modules: { github: { webhookSecret: secret } },
        },
      },
      features: [
        // The real events service (startTestBackend's default is a mock).
        eventsServiceFactory,
        eventsPlugin,
        eventsModuleGithubEventRouter,
        eventsModuleGithubWebhook,
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({
            publish: async (signal: SignalPayload) => {
              signalled.push(signal);
            },
          }),
        }),
      ],
    });
    try {
      const load = async () =>
        (
          await request(server)
            .get('/api/delivery/status')
            .query({ entityRef: 'component:default/ledger-worker' })
            .set('Authorization', GUEST)
        ).body as DeliveryStatus;
      const before = await load();

      // GitHub's side: the repository's webhook points at the events backend.
      const address = server.address() as AddressInfo;
      const hook = await fetchJson(
        `${sb.urls.githubApi}/repos/slipway-demo/ledger-worker/hooks`,
        {
          name: 'web',
          events: ['push'],
          config: {
            url: `http://127.0.0.1:${address.port}/api/events/http/github`,
            content_type: 'json',
            secret,
          },
        },
      );
      expect(hook.status).toBe(201);

      const { sha, parent } = await sb.repos.commitFiles(
        'slipway-demo',
        'ledger-worker',
        'main',
        { 'README.md': '# ledger-worker\n\nPushed by the webhook test.\n' },
        'docs: webhook test',
      );
      await sb.github.notifyPush('slipway-demo', 'ledger-worker', [
        { ref: 'refs/heads/main', before: parent!, after: sha },
      ]);
      // The events backend answers 202 and hands the event on; the cache
      // (TTL 600 s) lets the new commit through as soon as it arrives.
      let after = await load();
      const deadline = Date.now() + 10_000;
      while (
        after.source.data!.commits[0].sha !== sha &&
        Date.now() < deadline
      ) {
        await new Promise(r => setTimeout(r, 100));
        after = await load();
      }
      expect(after.source.data!.commits[0].sha).toBe(sha);
      expect(after.source.data!.commits[0].sha).not.toBe(
        before.source.data!.commits[0].sha,
      );
      // The entity's open pages were told to refresh, on its own channel.
      expect(signalled).toEqual([
        {
          recipients: { type: 'broadcast' },
          channel: 'delivery:status:component:default/ledger-worker',
          message: {
            entityRef: 'component:default/ledger-worker',
            reason: 'push',
          },
        },
      ]);

      // A delivery without a valid signature is refused by the ingress.
      const forged = await request(server)
        .post('/api/events/http/github')
        .set('x-github-event', 'push')
        .set('x-hub-signature-256', 'sha256=00')
        .send({ repository: { full_name: 'slipway-demo/ledger-worker' } });
      expect(forged.status).toBe(403);
      await sb.idle();
    } finally {
      await backend.stop();
    }
  });
});

async function fetchJson(url: string, body: unknown) {
  const res = await undiciFetch(url, {
    method: 'POST',
    headers: {
      authorization: 'token sandbox-github-token',
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
