import { CatalogService } from '@backstage/plugin-catalog-node';
import { mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { testServiceAccess } from '@internal/backstage-plugin-delivery-node/testUtils';
import { createCatalogUnregisterAction } from './catalogUnregister';
import { examples } from './catalogUnregister.examples';

describe('catalog:unregister examples', () => {
  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_d, yaml) => {
      const catalog = {
        getEntityByRef: jest.fn(async () => undefined),
        getLocationByRef: jest.fn(),
        removeLocationById: jest.fn(),
      };
      const action = createCatalogUnregisterAction({
        catalog: catalog as unknown as CatalogService,
        access: testServiceAccess().access,
        auth: mockServices.auth(),
      });
      const entityRef = /entityRef: (\S+)/.exec(yaml)![1];
      const ctx = createMockActionContext({ input: { entityRef } });
      await action.handler(ctx);
      expect(catalog.getEntityByRef).toHaveBeenCalledWith(
        entityRef,
        expect.anything(),
      );
      expect(ctx.output).toHaveBeenCalledWith('removed', false);
    },
  );
});
