import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { ServiceAccess } from '@internal/backstage-plugin-delivery-node';
import { Sandbox, sandboxAppConfig } from '@internal/sandbox';
import {
  serviceEntity,
  startTestSandbox,
  undiciFetch,
} from '../__testUtils__/harness';
import { createDeliveryUpstreams } from './deliveryUpstreams';
import { DeliveryStatusService } from './DeliveryStatusService';
import { readDeliverySettings } from './settings';

jest.setTimeout(60_000);

const REF = 'component:default/payments-api';
const credentials = { $$type: '@backstage/BackstageCredentials' } as never;

/**
 * Two replicas of the delivery backend, each its own status service and
 * upstream clients, on one store (what `backend.cache.store: redis` gives
 * replicas; here Backstage's memory store, shared in one process).
 */
describe('the delivery status on two replicas sharing one cache store', () => {
  let sb: Sandbox;
  let a: DeliveryStatusService;
  let b: DeliveryStatusService;

  beforeAll(async () => {
    sb = await startTestSandbox();
    const config = new ConfigReader(sandboxAppConfig(sb));
    const store = CacheManager.fromConfig(
      new ConfigReader({ backend: { cache: { store: 'memory' } } }),
    ).forPlugin('delivery');
    const entity: Entity = serviceEntity('payments-api');
    const replica = () =>
      DeliveryStatusService.create({
        access: new ServiceAccess({
          catalog: {
            getEntityByRef: async () => entity,
          } as unknown as CatalogService,
          permissions: mockServices.permissions(),
          auditor: {
            createEvent: async () => ({
              success: async () => {},
              fail: async () => {},
            }),
          },
        }),
        settings: readDeliverySettings(config),
        upstreams: createDeliveryUpstreams(config, { fetch: undiciFetch }),
        logger: mockServices.rootLogger({ level: 'error' }),
        cache: store,
      });
    a = replica();
    b = replica();
  });
  afterAll(() => sb?.stop());

  const calls = () =>
    Object.values(sb.faults.counters()).reduce(
      (n, ops) => n + Object.values(ops).reduce((x, y) => x + y, 0),
      0,
    );

  it('answers 50 viewers over both replicas with one load per source, and a push webhook on A reaches B', async () => {
    // Sign in to Argo CD on both (a session per replica, by design).
    await a.getStatus(REF, { credentials });
    sb.faults.resetCounters();
    await b.getStatus(REF, { credentials });
    // B answered from what A stored: no upstream call at all.
    expect(calls()).toBe(0);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? a : b).getStatus(REF, { credentials }),
      ),
    );
    expect(calls()).toBe(0);

    // A push to the app repository; GitHub's webhook reaches replica A only.
    const { sha } = await sb.repos.commitFiles(
      'slipway-demo',
      'payments-api',
      'main',
      { 'README.md': '# payments-api\n\nA change seen on both replicas.\n' },
      'docs: a change seen on both replicas',
    );
    expect(await a.notePush('slipway-demo/payments-api')).toEqual([REF]);
    sb.faults.resetCounters();
    const onB = await b.getStatus(REF, { credentials });
    expect(onB.source.data?.commits[0].sha).toBe(sha);
    // The sections reload; the ownership answers (ten TTLs) are not asked again.
    const counted = sb.faults.counters();
    expect(counted.github?.['repos/list-commits']).toBeGreaterThan(0);
    expect(counted.github?.['repos/get-content'] ?? 0).toBe(0);
    expect(counted.aws?.['ecr:ListTagsForResource'] ?? 0).toBe(0);
    // The change is in motion: both replicas follow it with the short TTL.
    const onA = await a.getStatus(REF, { credentials });
    expect(onA.source.data?.commits[0].sha).toBe(sha);

    // A push to helm-charts, on B: A's Argo CD and chart sections reload.
    sb.faults.resetCounters();
    expect(await b.notePush('slipway-demo/helm-charts')).toContain(REF);
    await a.getStatus(REF, { credentials });
    // The sync section's one application read, and the runtime section's
    // reads of it (tree, live objects), each once.
    const argocd = sb.faults.counters().argocd ?? {};
    expect(argocd['argocd:ApplicationService_Get']).toBe(1);
    expect(argocd['argocd:ApplicationService_ResourceTree']).toBe(1);
  });
});
