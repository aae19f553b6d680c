import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  serviceComponent,
  testServiceAccess,
} from '@internal/backstage-plugin-delivery-node/testUtils';
import { createCatalogUnregisterAction } from './catalogUnregister';

const LOCATION =
  'url:http://127.0.0.1:7071/slipway-demo/orders/tree/main/catalog-info.yaml';
const SHARED = 'file:/org/services.yaml';

const component = (name: string, annotations: Record<string, string>) =>
  serviceComponent(`component:default/${name}`, 'payments-team', annotations);

/*
 * The catalog holds the example org and payments-team's services; the
 * policy is Slipway's own. guest is in payments-team, dana in docs-team.
 */
function setup(entities: Entity[]) {
  const base = catalogServiceMock({ entities });
  const catalog = catalogServiceMock.mock({
    getEntityByRef: jest.fn((ref, o) => base.getEntityByRef(ref, o!)),
    getEntities: jest.fn((req, o) => base.getEntities(req, o!)),
    getLocationByRef: jest.fn(
      async (ref: string): Promise<any> =>
        [LOCATION, SHARED].includes(ref)
          ? {
              id: ref === LOCATION ? 'loc-1' : 'loc-2',
              type: 'url',
              target: ref,
            }
          : undefined,
    ),
    removeLocationById: jest.fn(async () => {}),
    removeEntityByUid: jest.fn(async () => {}),
  });
  const { access, auditor } = testServiceAccess({ entities });
  const auth = mockServices.auth();
  const action = createCatalogUnregisterAction({ catalog, access, auth });
  return { catalog, action, auditor };
}

const ctx = (
  entityRef: string,
  user = 'user:default/guest',
  isDryRun = false,
) => ({
  ...createMockActionContext({ input: { entityRef } }),
  getInitiatorCredentials: async () => mockCredentials.user(user),
  isDryRun,
});

const orders = component('orders', {
  'argocd/app-name': 'orders',
  'backstage.io/managed-by-location': LOCATION,
});

describe('catalog:unregister', () => {
  it("removes the Location of its owner's Slipway service, with the scaffolder's credentials", async () => {
    // The catalog's generated Location entity carries the same annotation.
    const generated: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Location',
      metadata: {
        name: 'generated-1',
        namespace: 'default',
        annotations: { 'backstage.io/managed-by-location': LOCATION },
      },
      spec: { type: 'url', target: LOCATION.slice(4) },
    };
    const { catalog, action, auditor } = setup([orders, generated]);
    const c = ctx('component:default/orders');
    await action.handler(c);
    expect(catalog.removeLocationById).toHaveBeenCalledWith('loc-1', {
      credentials: expect.objectContaining({
        principal: expect.objectContaining({ type: 'service' }),
      }),
    });
    expect(c.output).toHaveBeenCalledWith('removed', true);
    expect(auditor.events).toContainEqual(
      expect.objectContaining({
        eventId: 'decommission-authorization',
        outcome: 'success',
      }),
    );
  });

  it("refuses another team's member, removing nothing, audited", async () => {
    const { catalog, action, auditor } = setup([orders]);
    await expect(
      action.handler(ctx('component:default/orders', 'user:default/dana')),
    ).rejects.toThrow(
      'user:default/dana may not slipway.service.delete on component:default/orders: only its owners (or a platform group) may',
    );
    expect(catalog.removeLocationById).not.toHaveBeenCalled();
    expect(auditor.events.at(-1)).toMatchObject({
      eventId: 'decommission-authorization',
      outcome: 'failure',
      meta: { actor: 'user:default/dana' },
    });
  });

  it("lets a platform group member unregister any team's service", async () => {
    const { catalog, action } = setup([orders]);
    await action.handler(ctx('component:default/orders', 'user:default/pat'));
    expect(catalog.removeLocationById).toHaveBeenCalledTimes(1);
  });

  it('never removes a Location that holds other entities', async () => {
    const shared = (name: string) =>
      component(name, {
        'argocd/app-name': name,
        'backstage.io/managed-by-location': SHARED,
      });
    const { catalog, action } = setup([shared('orders'), shared('billing')]);
    await expect(
      action.handler(ctx('component:default/orders')),
    ).rejects.toThrow(/also holds 1 other entit/);
    expect(catalog.removeLocationById).not.toHaveBeenCalled();
  });

  it('refuses an entity Slipway did not create, removing nothing', async () => {
    const { catalog, action } = setup([
      component('portal', { 'backstage.io/managed-by-location': LOCATION }),
    ]);
    await expect(
      action.handler(ctx('component:default/portal')),
    ).rejects.toThrow(/not created by Slipway/);
    expect(catalog.removeLocationById).not.toHaveBeenCalled();
  });

  it('a Retry after its Location was removed removes the orphaned entity', async () => {
    const orphan = component('orders', {
      'argocd/app-name': 'orders',
      'backstage.io/managed-by-location': 'url:http://gone/catalog-info.yaml',
    });
    orphan.metadata.uid = 'uid-orders';
    const { catalog, action } = setup([orphan]);
    const c = ctx('component:default/orders');
    await action.handler(c);
    expect(catalog.removeLocationById).not.toHaveBeenCalled();
    expect(catalog.removeEntityByUid).toHaveBeenCalledWith(
      'uid-orders',
      expect.anything(),
    );
    expect(c.output).toHaveBeenCalledWith('removed', true);
  });

  it('treats a missing entity as success', async () => {
    const { action } = setup([]);
    const c = ctx('component:default/gone');
    await action.handler(c);
    expect(c.output).toHaveBeenCalledWith('removed', false);
  });

  it('refuses a malformed ref before calling the catalog', async () => {
    const { catalog, action } = setup([]);
    await expect(action.handler(ctx('group:default/x*'))).rejects.toMatchObject(
      { name: 'InputError' },
    );
    expect(catalog.getEntityByRef).not.toHaveBeenCalled();
  });

  it('dry run checks who asks and removes nothing', async () => {
    const { catalog, action } = setup([orders]);
    await action.handler(
      ctx('component:default/orders', 'user:default/guest', true),
    );
    expect(catalog.removeLocationById).not.toHaveBeenCalled();
    await expect(
      action.handler(
        ctx('component:default/orders', 'user:default/dana', true),
      ),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
  });
});
