import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createCatalogUnregisterAction } from './catalogUnregister';

const LOCATION =
  'url:http://127.0.0.1:7071/slipway-demo/orders/tree/main/catalog-info.yaml';

function entity(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: {},
  };
}

function fakeCatalog(entities: Entity[]) {
  return {
    getEntityByRef: jest.fn(async (ref: string) =>
      entities.find(e => `component:default/${e.metadata.name}` === ref),
    ),
    getLocationByRef: jest.fn(async (ref: string) =>
      ref === LOCATION
        ? { id: 'loc-1', type: 'url', target: ref.slice(4) }
        : undefined,
    ),
    removeLocationById: jest.fn(async () => {}),
  };
}

describe('catalog:unregister', () => {
  // The mock context ignores isDryRun, so it is set on the result.
  const ctx = (entityRef: string, isDryRun = false) => ({
    ...createMockActionContext({ input: { entityRef } }),
    isDryRun,
  });

  it("removes the Location of a Slipway service, with the user's credentials", async () => {
    const catalog = fakeCatalog([
      entity('orders', {
        'argocd/app-name': 'orders',
        'backstage.io/managed-by-location': LOCATION,
      }),
    ]);
    const action = createCatalogUnregisterAction({
      catalog: catalog as unknown as CatalogService,
    });
    const c = ctx('component:default/orders');
    await action.handler(c);
    expect(catalog.removeLocationById).toHaveBeenCalledWith('loc-1', {
      credentials: await c.getInitiatorCredentials(),
    });
    expect(c.output).toHaveBeenCalledWith('removed', true);
  });

  it('refuses an entity Slipway did not create, removing nothing', async () => {
    const catalog = fakeCatalog([
      entity('portal', { 'backstage.io/managed-by-location': LOCATION }),
    ]);
    const action = createCatalogUnregisterAction({
      catalog: catalog as unknown as CatalogService,
    });
    await expect(
      action.handler(ctx('component:default/portal')),
    ).rejects.toThrow(/not created by Slipway/);
    expect(catalog.removeLocationById).not.toHaveBeenCalled();
  });

  it('treats a missing entity as success', async () => {
    const catalog = fakeCatalog([]);
    const action = createCatalogUnregisterAction({
      catalog: catalog as unknown as CatalogService,
    });
    const c = ctx('component:default/gone');
    await action.handler(c);
    expect(c.output).toHaveBeenCalledWith('removed', false);
  });

  it('refuses a malformed ref before calling the catalog', async () => {
    const catalog = fakeCatalog([]);
    const action = createCatalogUnregisterAction({
      catalog: catalog as unknown as CatalogService,
    });
    await expect(action.handler(ctx('group:default/x*'))).rejects.toMatchObject(
      { name: 'InputError' },
    );
    expect(catalog.getEntityByRef).not.toHaveBeenCalled();
  });

  it('dry run calls nothing', async () => {
    const catalog = fakeCatalog([]);
    const action = createCatalogUnregisterAction({
      catalog: catalog as unknown as CatalogService,
    });
    await action.handler(ctx('component:default/orders', true));
    expect(catalog.getEntityByRef).not.toHaveBeenCalled();
  });
});
