/*
 * The health poll against the sandbox's Argo CD (checked against Argo CD's
 * swagger in the sandbox's own tests): one list call per instance for
 * every service, health changes recorded once, and a deployment of an
 * image that does not exist recorded as Degraded while nobody looks at
 * the page.
 */

import { TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Sandbox } from '@internal/sandbox';
import {
  sandboxConfigData,
  startTestSandbox,
  undiciFetch,
} from '../__testUtils__/harness';
import { createDeliveryUpstreams } from '../services/deliveryUpstreams';
import { DeliveryHistory } from './DeliveryHistory';
import { CHARTS_PUSHED_KEY, pollHealth } from './healthPoll';

jest.setTimeout(120_000);

const CHARTS = ['slipway-demo', 'helm-charts'] as const;
const REF = 'component:default/payments-api';
/** app-config.yaml's road: dev takes CI's deploys. */
const environments = ['dev', 'staging', 'prod'];

describe('the health poll', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let sb: Sandbox;

  beforeAll(async () => {
    sb = await startTestSandbox();
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it('lists every service once per Argo CD instance, records changes only, and sees a bad deploy turn Degraded', async () => {
    const knex = await databases.init('SQLITE_3');
    const history = await DeliveryHistory.create({
      database: { getClient: async () => knex },
      retentionDays: 400,
    });
    // Two configured instances (both this sandbox's Argo CD): two lists.
    const config = new ConfigReader(
      sandboxConfigData(sb, {}, ['sandbox', 'second']),
    );
    const upstreams = createDeliveryUpstreams(config, { fetch: undiciFetch });
    // The plugin's cache, as the replicas share it.
    const store = new Map<string, unknown>();
    const cache = {
      get: async <T>(key: string) => store.get(key) as T | undefined,
      set: async (key: string, value: unknown) => {
        store.set(key, value);
      },
    };

    // Waits until the sandbox's rollouts are over (Progressing, then
    // Healthy or Degraded): the poll records what it sees, and a rollout
    // in progress is a state of its own.
    const settle = async () => {
      for (;;) {
        await sb.argocd.reconcileNow();
        const apps = await upstreams.argocd.get('sandbox').listApplications();
        if (apps.every(a => a.status?.health?.status !== 'Progressing')) {
          return;
        }
        await new Promise(r => setTimeout(r, 100));
      }
    };
    await settle();

    sb.faults.resetCounters();
    const first = await pollHealth({ upstreams, history, environments, cache });
    // Application reads (sign-in aside): one list per instance, no GET.
    const reads = Object.entries(sb.faults.counters().argocd ?? {}).filter(
      ([op]) => op.includes('ApplicationService_'),
    );
    expect(reads).toEqual([['argocd:ApplicationService_List', 2]]);
    // GitHub: helm-charts' newest commits, once, whatever the services.
    expect(sb.faults.counters().github).toEqual({
      'repos/list-commits': 1,
    });
    expect(first.calls).toBe(2);
    expect(first.githubCalls).toBe(1);
    expect(first.applications).toBeGreaterThan(0);
    expect(first.recorded).toBe(first.applications);
    // The seeded deploys, recorded without anyone opening a page.
    expect(first.deployments).toBeGreaterThan(0);
    const seeded = await history.reconcile(REF, 'dev', []);
    expect(seeded.length).toBeGreaterThan(0);

    // Nothing changed: nothing recorded, and helm-charts not read again.
    sb.faults.resetCounters();
    const second = await pollHealth({
      upstreams,
      history,
      environments,
      cache,
    });
    expect(second).toMatchObject({
      recorded: 0,
      deployments: 0,
      githubCalls: 0,
    });
    expect(sb.faults.counters().github).toBeUndefined();

    // A deploy of an image that is not in ECR: Argo CD reports Degraded.
    const values = await sb.repos.readFileIn(
      ...CHARTS,
      'main',
      'charts/payments-api/values.yaml',
    );
    await sb.repos.commitFiles(
      ...CHARTS,
      'main',
      {
        'charts/payments-api/values.yaml': String(values).replace(
          /^(\s*tag:\s*).*$/m,
          "$1'0000000-404'",
        ),
      },
      'ci(payments-api): deploy 0000000-404',
    );
    await settle();
    const third = await pollHealth({ upstreams, history, environments, cache });
    // Only payments-api's health changed (every application moved to the
    // new revision): recorded once per instance that lists it.
    expect(third.recorded).toBe(2);
    const health = await history.health(REF, 'dev');
    expect(health.map(h => h.status)).toEqual([
      'Healthy',
      'Healthy',
      'Degraded',
      'Degraded',
    ]);
    const head = (await sb.repos.log(...CHARTS, 'main', 1))[0].sha;
    expect(health[3].revision).toBe(head);
    // The deploy is recorded too, failed from when it turned Degraded, at
    // the time Argo CD's sync history gives it: DORA's history for
    // payments-api without a status answer.
    const deployed = (await history.reconcile(REF, 'dev', [])).find(
      d => d.sha === head,
    );
    expect(deployed).toMatchObject({
      kind: 'deploy',
      tag: '0000000-404',
      timeFrom: 'argocd',
      failed: true,
      failedAt: health[3].since,
    });
    expect(third.deployments).toBeGreaterThanOrEqual(1);
    expect(third.githubCalls).toBe(1);

    // A commit with Slipway's trailers that names no service (a hand-made
    // one, touching no chart) is nobody's deployment: the status reads
    // only commits that touched the chart, and the poll must agree.
    const stray = await sb.repos.commitFiles(
      ...CHARTS,
      'main',
      { 'README.md': 'Charts of the Slipway demo.\n' },
      'chore: notes\n\nSlipway-Action: deploy\nSlipway-Image-Tag: 1111111-1',
    );
    await settle();
    await pollHealth({ upstreams, history, environments, cache });
    expect(
      (await history.reconcile(REF, 'dev', [])).map(d => d.sha),
    ).not.toContain(stray.sha);

    // A deploy back to the earlier image, then git's own revert of it (no
    // service named, no trailers): the poll takes the revert as payments-
    // api's, since it reverts one of its commits, and the deploy it
    // reverts as failed.
    const earlier = /^\s*tag:\s*'?([^'\s]+)/m.exec(String(values))![1];
    const fix = await sb.repos.commitFiles(
      ...CHARTS,
      'main',
      { 'charts/payments-api/values.yaml': String(values) },
      `ci(payments-api): deploy ${earlier}`,
    );
    await sb.repos.commitFiles(
      ...CHARTS,
      'main',
      { 'README.md': 'Charts of the Slipway demo, reverted.\n' },
      `Revert "ci(payments-api): deploy ${earlier}"\n\nThis reverts commit ${fix.sha}.`,
    );
    await settle();
    await pollHealth({ upstreams, history, environments, cache });
    expect(
      (await history.reconcile(REF, 'dev', [])).find(d => d.sha === fix.sha),
    ).toMatchObject({ kind: 'deploy', tag: earlier, failed: true });

    // A push to helm-charts noted by the webhook (the revisions unmoved,
    // Argo CD not synced yet): the next poll reads helm-charts again.
    expect(
      (await pollHealth({ upstreams, history, environments, cache }))
        .githubCalls,
    ).toBe(0);
    await cache.set(CHARTS_PUSHED_KEY, 'now');
    expect(
      (await pollHealth({ upstreams, history, environments, cache }))
        .githubCalls,
    ).toBe(1);
  });
});
