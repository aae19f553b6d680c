import { mockCredentials } from '@backstage/backend-test-utils';
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

jest.setTimeout(90_000);

const CHARTS = ['slipway-demo', 'helm-charts'] as const;

/*
 * Rollback and promote decide on who asks and which entity the change
 * belongs to, with Slipway's real policy: guest is in payments-team (owns
 * payments-api), dana in docs-team, pat in platform-team.
 */
describe('rollback and promote: identity decides, never a name', () => {
  let sb: Sandbox;
  let started: Awaited<ReturnType<typeof startDeliveryBackend>>;

  const docsOwned = (entity: ReturnType<typeof serviceEntity>) => ({
    ...entity,
    spec: { ...entity.spec, owner: 'group:docs-team' },
  });

  beforeAll(async () => {
    sb = await startTestSandbox();
    started = await startDeliveryBackend({
      sb,
      entities: [
        serviceEntity('payments-api'),
        // dana's team registers a Component with payments-api's name in
        // another namespace...
        {
          ...docsOwned(serviceEntity('payments-api')),
          metadata: {
            ...serviceEntity('payments-api').metadata,
            namespace: 'docs',
          },
        },
        // ... and one of its own that points at payments-api's chart.
        docsOwned(
          serviceEntity('payments-shadow', {
            'slipway.io/chart-path': 'charts/payments-api',
          }),
        ),
      ],
      delivery: { cacheTtlSeconds: 0 },
    });
  });
  afterAll(async () => {
    await started?.backend.stop();
    await sb?.stop();
  });
  beforeEach(() => sb.faults.resetCounters());

  async function post(
    user: string,
    action: 'rollback' | 'promote',
    entityRef: string,
  ) {
    const body =
      action === 'rollback'
        ? { entityRef, environment: 'dev' }
        : { entityRef, from: 'dev', to: 'staging' };
    return request(started.server)
      .post(`/api/delivery/${action}`)
      .set('Authorization', mockCredentials.user.header(user))
      .send(body);
  }

  const head = async () => (await sb.repos.log(...CHARTS, 'main', 1))[0].sha;

  it.each(['rollback', 'promote'] as const)(
    "%s of another team's service is refused (403), audited, with no upstream change",
    async action => {
      const before = await head();
      const res = await post(DANA, action, 'component:default/payments-api');
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        `user:default/dana may not delivery.${action} on component:default/payments-api: only its owners (or a platform group) may`,
      );
      expect(sb.faults.mutations()).toEqual({});
      expect(await head()).toBe(before);
      expect(started.auditEvents.slice(-2)).toEqual([
        expect.objectContaining({
          eventId: `${action}-authorization`,
          outcome: 'failure',
          meta: expect.objectContaining({
            actor: DANA,
            entityRef: 'component:default/payments-api',
          }),
        }),
        expect.objectContaining({ eventId: action, outcome: 'failure' }),
      ]);
    },
  );

  it.each([
    [
      'a same-named Component in another namespace',
      'component:docs/payments-api',
    ],
    [
      "an entity whose chart-path names another service's chart",
      'component:default/payments-shadow',
    ],
  ])(
    'an owner of %s still cannot change payments-api (409, no upstream change)',
    async (_, entityRef) => {
      for (const action of ['rollback', 'promote'] as const) {
        const before = await head();
        const res = await post(DANA, action, entityRef);
        expect(res.status).toBe(409);
        expect(res.body.error.message).toBe(
          `charts/payments-api belongs to component:default/payments-api, not ${entityRef}; an entity can only change resources bound to it`,
        );
        expect(sb.faults.mutations()).toEqual({});
        expect(await head()).toBe(before);
        expect(started.auditEvents.at(-1)).toMatchObject({
          eventId: action,
          outcome: 'failure',
        });
      }
    },
  );

  it('lets a platform group member and the owning team change it', async () => {
    const rolledBack = await post(
      PAT,
      'rollback',
      'component:default/payments-api',
    );
    expect(rolledBack.status).toBe(201);
    expect(rolledBack.body.commitSha).toBe(await head());
    expect(started.auditEvents).toContainEqual(
      expect.objectContaining({
        eventId: 'rollback-authorization',
        outcome: 'success',
        meta: expect.objectContaining({ actor: PAT, decision: 'allow' }),
      }),
    );
    const promoted = await post(
      GUEST,
      'promote',
      'component:default/payments-api',
    );
    expect(promoted.status).toBe(201);
    expect(promoted.body.commitSha).toBe(await head());
  });
});
