import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  deliveryPromotePermission,
  deliveryRollbackPermission,
  deliveryStatusReadPermission,
} from '@internal/backstage-plugin-delivery-common';
import { SlipwayPermissionPolicy } from './permissionPolicy';

const CLAIMS = ['user:default/dana', 'group:default/payments-team'];
const dana = {
  credentials: mockCredentials.user('user:default/dana'),
  info: { userEntityRef: 'user:default/dana', ownershipEntityRefs: CLAIMS },
};

describe('SlipwayPermissionPolicy', () => {
  const policy = new SlipwayPermissionPolicy({
    userInfo: mockServices.userInfo({ ownershipEntityRefs: CLAIMS }),
  });

  it.each([deliveryRollbackPermission, deliveryPromotePermission])(
    'allows $name only where the user or one of their groups owns the entity',
    async permission => {
      const decision = await policy.handle({ permission }, dana);
      expect(decision).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: { claims: CLAIMS },
        },
      });
    },
  );

  it('gives a service caller no ownership claims for rollback', async () => {
    const decision = await policy.handle(
      { permission: deliveryRollbackPermission },
      { credentials: mockCredentials.service(), info: dana.info },
    );
    expect(decision).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      conditions: { params: { claims: [] } },
    });
  });

  it('allows reading the delivery status and the catalog', async () => {
    for (const permission of [
      deliveryStatusReadPermission,
      catalogEntityReadPermission,
    ]) {
      expect(await policy.handle({ permission }, dana)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });
});
