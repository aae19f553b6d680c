import { mockCredentials } from '@backstage/backend-test-utils';
import type {
  DeliveryStatus,
  EnvironmentRuntime,
} from '@internal/backstage-plugin-delivery-common';
import { editYaml, readYaml } from '@internal/backstage-plugin-delivery-node';
import { Sandbox } from '@internal/sandbox';
import request from 'supertest';
import {
  DANA,
  GUEST,
  PAT,
  serviceEntity,
  startDeliveryBackend,
  startTestSandbox,
} from './__testUtils__/harness';

jest.setTimeout(120_000);

const REF = 'component:default/payments-api';
const CHARTS = ['slipway-demo', 'helm-charts'] as const;
const VALUES = 'charts/payments-api/values.yaml';

/*
 * A canary through Argo CD, end to end against the sandbox's Argo CD (whose
 * Rollout health and actions are Argo CD's own Lua, ported and held to its
 * test cases): the runtime section reads the Rollout, and the owners'
 * Promote / Promote full run as Argo CD resource actions; another team's
 * are refused before any Argo CD call. guest is in payments-team (owns
 * payments-api), dana in docs-team, pat in platform-team.
 */
describe('canary actions and the runtime section, through Argo CD', () => {
  let sb: Sandbox;
  let started: Awaited<ReturnType<typeof startDeliveryBackend>>;

  async function commitValues(
    edit: (values: string) => string,
    message: string,
  ) {
    const head = (await sb.repos.log(...CHARTS, 'main', 1))[0].sha;
    const values = (await sb.repos.readFileIn(...CHARTS, head, VALUES))!;
    await sb.repos.commitFiles(
      ...CHARTS,
      'main',
      { [VALUES]: edit(values) },
      message,
    );
  }

  async function status(user = GUEST): Promise<DeliveryStatus> {
    const res = await request(started.server)
      .get('/api/delivery/status')
      .query({ entityRef: REF })
      .set('Authorization', mockCredentials.user.header(user));
    expect(res.status).toBe(200);
    return res.body;
  }

  /** The dev runtime once `ready` holds, reconciling Argo CD between reads. */
  async function runtimeWhen(
    ready: (env: EnvironmentRuntime) => boolean,
  ): Promise<EnvironmentRuntime> {
    let last: unknown;
    for (let i = 0; i < 200; i++) {
      await sb.argocd.reconcileNow();
      const s = await status();
      const env = s.runtime?.data?.environments[0];
      last = s.runtime;
      if (env && ready(env)) return env;
      await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(`runtime never got there: ${JSON.stringify(last)}`);
  }

  function act(user: string, action: string, entityRef = REF) {
    return request(started.server)
      .post('/api/delivery/rollout')
      .set('Authorization', mockCredentials.user.header(user))
      .send({ entityRef, environment: 'dev', action });
  }

  const argoCalls = (op: string) =>
    sb.faults.counters().argocd?.[`argocd:ApplicationService_${op}`] ?? 0;

  beforeAll(async () => {
    sb = await startTestSandbox();
    started = await startDeliveryBackend({
      sb,
      entities: [
        serviceEntity('payments-api'),
        // docs-team's own entity, whose annotation names payments-api's
        // Argo CD application.
        {
          ...serviceEntity('payments-shadow', {
            'argocd/app-name': 'payments-api',
          }),
          spec: {
            type: 'service',
            lifecycle: 'production',
            owner: 'group:docs-team',
          },
        },
      ],
      delivery: { cacheTtlSeconds: 0 },
    });
  });
  afterAll(async () => {
    await started?.backend.stop();
    await sb?.stop();
  });

  it('shows a rolling service as a Deployment and refuses a canary action on it (400) before running any', async () => {
    const env = await runtimeWhen(e => e.workload?.health === 'Healthy');
    expect(env.workload).toMatchObject({ kind: 'Deployment' });
    expect(env.rollout).toBeUndefined();
    expect(env.readyPods).toBe(env.desiredPods);
    expect(env.hpa).toMatchObject({ minReplicas: 2, maxReplicas: 5 });
    // Pods created within the hour: their restarts all fall in it.
    expect(env.restartsLastHour).toEqual({ restarts: env.restarts });
    sb.faults.resetCounters();
    const res = await act(GUEST, 'resume');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /component:default\/payments-api runs no canary in dev/,
    );
    expect(argoCalls('RunResourceActionV2')).toBe(0);
  });

  it('shows a drifted object put back by Argo CD self-heal', async () => {
    const drift = await sb.argocd.drift('payments-api');
    expect(drift).toBeDefined();
    const healed = await runtimeWhen(e => e.selfHeals.length > 0);
    expect(healed.selfHeals[0]).toMatchObject({ attempts: 1 });
    expect(Date.parse(healed.selfHeals[0].at)).not.toBeNaN();
    const s = await status();
    expect(s.sync.data!.environments[0]).toMatchObject({
      syncStatus: 'Synced',
      operation: { phase: 'Succeeded', selfHeal: { attempts: 1 } },
    });
  });

  it("shows why a pod that never ran is stuck: the image pull's warning events", async () => {
    const head = (await sb.repos.log(...CHARTS, 'main', 1))[0].sha;
    const good = readYaml(
      (await sb.repos.readFileIn(...CHARTS, head, VALUES))!,
      ['image', 'tag'],
    ) as string;
    await commitValues(
      v => editYaml(v, [[['image', 'tag'], 'no-such-tag']]),
      'chore(payments-api): bump image to no-such-tag',
    );
    const stuck = await runtimeWhen(e =>
      e.warnings.some(w => w.reason === 'Failed'),
    );
    expect(stuck.pods.some(p => p.reason === 'ImagePullBackOff')).toBe(true);
    expect(stuck.warnings.find(w => w.reason === 'Failed')).toMatchObject({
      object: expect.stringMatching(/^Pod\//),
      message: expect.stringContaining('no-such-tag'),
    });
    await commitValues(
      v => editYaml(v, [[['image', 'tag'], good]]),
      `chore(payments-api): bump image to ${good}`,
    );
    await runtimeWhen(
      e => e.workload?.health === 'Healthy' && e.readyPods === e.desiredPods,
    );
  });

  it('walks a canary: paused at the first weight, Promote to the next step, Promote full to Healthy', async () => {
    await commitValues(
      v =>
        editYaml(v, [
          [
            ['rollout'],
            {
              strategy: 'canary',
              canary: {
                steps: [
                  { setWeight: 20 },
                  { pause: {} },
                  { setWeight: 50 },
                  { pause: {} },
                ],
                analysis: {
                  enabled: true,
                  startingStep: 1,
                  path: '/readyz',
                  interval: '10s',
                  count: 3,
                  failureLimit: 1,
                },
              },
            },
          ],
        ]),
      'feat(payments-api): canary',
    );
    // The Rollout replaces the Deployment; a first rollout runs no steps.
    const first = await runtimeWhen(
      e => e.workload?.kind === 'Rollout' && e.workload.health === 'Healthy',
    );
    const stable = first.rollout!.stableImage!;
    expect(stable).toBeDefined();

    // A new image: the canary starts, and pauses after its first weight.
    const s = await status();
    const tags = s.gitops
      .data!.changes.filter(c => c.kind === 'deploy' && c.tag)
      .map(c => c.tag!);
    const current = stable.split(':').pop();
    const next = tags.find(t => t !== current)!;
    await commitValues(
      v => editYaml(v, [[['image', 'tag'], next]]),
      `chore(payments-api): bump image to ${next}`,
    );
    // (The tree and the live Rollout are two reads: wait for both.)
    const paused = await runtimeWhen(
      e =>
        e.rollout?.paused === true &&
        e.rollout.currentStep === 1 &&
        e.workload?.health === 'Suspended',
    );
    expect(paused.rollout).toMatchObject({
      strategy: 'canary',
      steps: [
        'set weight 20%',
        'pause until promoted',
        'set weight 50%',
        'pause until promoted',
      ],
      canaryWeight: 20,
      pauseReason: 'CanaryPauseStep',
      aborted: false,
      stableImage: stable,
    });
    expect(paused.rollout!.canaryImage).toMatch(new RegExp(`:${next}$`));
    expect(paused.rollout!.actions).toEqual(
      expect.arrayContaining(['resume', 'promote-full', 'abort']),
    );
    expect(paused.rollout!.actions).not.toContain('retry');
    expect(paused.workload?.health).toBe('Suspended');

    // Another team's Promote and Abort: refused on identity, Argo CD never
    // asked.
    for (const action of ['resume', 'abort']) {
      sb.faults.resetCounters();
      const refused = await act(DANA, action);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toBe(
        `${DANA} may not delivery.rollout on ${REF}: only its owners (or a platform group) may`,
      );
      expect(sb.faults.counters().argocd).toBeUndefined();
      expect(started.auditEvents.slice(-2)).toEqual([
        expect.objectContaining({
          eventId: 'rollout-authorization',
          outcome: 'failure',
        }),
        expect.objectContaining({ eventId: 'rollout', outcome: 'failure' }),
      ]);
    }
    // The same team through its own entity naming payments-api's
    // application: the application is not bound to it, nothing is run.
    sb.faults.resetCounters();
    const shadow = await act(
      DANA,
      'abort',
      'component:default/payments-shadow',
    );
    expect(shadow.status).toBe(409);
    expect(shadow.body.error.message).toBe(
      `Argo CD application payments-api belongs to component:default/payments-api, not component:default/payments-shadow; an entity can only change resources bound to it`,
    );
    expect(argoCalls('RunResourceActionV2')).toBe(0);
    expect(argoCalls('ListResourceActions')).toBe(0);

    // An action Argo CD does not offer now: refused before it is run.
    const retry = await act(GUEST, 'retry');
    expect(retry.status).toBe(409);
    expect(retry.body.error.message).toMatch(/Retry is not possible now/);
    expect(argoCalls('RunResourceActionV2')).toBe(0);

    // The owner's Promote: one resource action, the canary goes on.
    const promoted = await act(GUEST, 'resume');
    expect(promoted.status).toBe(200);
    expect(promoted.body).toEqual({
      entityRef: REF,
      environment: 'dev',
      action: 'resume',
      rollout: paused.rollout!.name,
    });
    expect(argoCalls('RunResourceActionV2')).toBe(1);
    const second = await runtimeWhen(
      e => e.rollout?.paused === true && e.rollout.currentStep === 3,
    );
    expect(second.rollout!.canaryWeight).toBe(50);

    // A platform group member's Promote full: every step done, Healthy.
    const full = await act(PAT, 'promote-full');
    expect(full.status).toBe(200);
    const done = await runtimeWhen(
      e =>
        e.workload?.health === 'Healthy' &&
        e.rollout?.stableImage?.endsWith(`:${next}`) === true,
    );
    expect(done.rollout).toMatchObject({ paused: false, aborted: false });
    expect(done.rollout!.canaryImage).toBeUndefined();
    expect(done.rollout!.actions).toEqual([]);
    expect(started.auditEvents).toContainEqual(
      expect.objectContaining({
        eventId: 'rollout-authorization',
        outcome: 'success',
        meta: expect.objectContaining({ actor: PAT }),
      }),
    );
    // What the chart says did not move: the canary was promoted in the
    // cluster, the helm-charts tag was already the new one.
    const head = (await sb.repos.log(...CHARTS, 'main', 1))[0].sha;
    expect(
      readYaml((await sb.repos.readFileIn(...CHARTS, head, VALUES))!, [
        'image',
        'tag',
      ]),
    ).toBe(next);
  });
});
