import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogLocationCreatePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  deliveryPromotePermission,
  deliveryRolloutPermission,
  deliveryRollbackPermission,
  deliveryStatusReadPermission,
  serviceAdoptPermission,
  serviceCreatePermission,
  serviceDeletePermission,
} from '@internal/backstage-plugin-delivery-common';
import {
  exampleOrg,
  policyPermissions,
  serviceComponent,
} from '@internal/backstage-plugin-delivery-node/testUtils';

/*
 * The real policy over a catalog with two teams and a platform team:
 * guest is in payments-team, dana in docs-team, pat in platform-team.
 */
const entities: Entity[] = [
  ...exampleOrg(),
  serviceComponent('component:default/payments-api', 'payments-team'),
  serviceComponent('component:default/docs-portal', 'docs-team'),
  // Same name as payments-api, another namespace, registered by dana's team.
  serviceComponent('component:dana/payments-api', 'docs-team'),
];
const catalog = catalogServiceMock({ entities });
const permissions = policyPermissions({ catalog, entities });
const guest = mockCredentials.user('user:default/guest');
const dana = mockCredentials.user('user:default/dana');
const pat = mockCredentials.user('user:default/pat');

async function decide(
  credentials: ReturnType<typeof mockCredentials.user>,
  permission: any,
  resourceRef?: string,
) {
  const [d] = await permissions.authorize(
    [resourceRef ? { permission, resourceRef } : { permission }],
    { credentials },
  );
  return d.result;
}

describe('SlipwayPermissionPolicy', () => {
  const changes = [
    deliveryRollbackPermission,
    deliveryPromotePermission,
    deliveryRolloutPermission,
    serviceAdoptPermission,
    serviceDeletePermission,
    catalogEntityDeletePermission,
  ];

  it.each(changes)(
    '$name: the owning team is allowed, the other team refused',
    async permission => {
      const ref = 'component:default/payments-api';
      expect(await decide(guest, permission, ref)).toBe(AuthorizeResult.ALLOW);
      expect(await decide(dana, permission, ref)).toBe(AuthorizeResult.DENY);
      expect(
        await decide(dana, permission, 'component:default/docs-portal'),
      ).toBe(AuthorizeResult.ALLOW);
      expect(
        await decide(guest, permission, 'component:default/docs-portal'),
      ).toBe(AuthorizeResult.DENY);
    },
  );

  it('decides on the entity, not its name: a same-named entity elsewhere is not payments-api', async () => {
    expect(
      await decide(
        guest,
        deliveryRollbackPermission,
        'component:dana/payments-api',
      ),
    ).toBe(AuthorizeResult.DENY);
    expect(
      await decide(
        dana,
        deliveryRollbackPermission,
        'component:dana/payments-api',
      ),
    ).toBe(AuthorizeResult.ALLOW);
  });

  it('lets a platform group change any service', async () => {
    for (const permission of changes) {
      expect(
        await decide(pat, permission, 'component:default/payments-api'),
      ).toBe(AuthorizeResult.ALLOW);
    }
  });

  it('creates a service only for a group the user belongs to', async () => {
    const p = serviceCreatePermission;
    expect(await decide(guest, p, 'group:default/payments-team')).toBe(
      AuthorizeResult.ALLOW,
    );
    expect(await decide(guest, p, 'group:default/docs-team')).toBe(
      AuthorizeResult.DENY,
    );
    expect(await decide(dana, p, 'group:default/payments-team')).toBe(
      AuthorizeResult.DENY,
    );
    // A User entity is not a group, even the user's own.
    expect(await decide(guest, p, 'user:default/guest')).toBe(
      AuthorizeResult.DENY,
    );
    expect(await decide(pat, p, 'group:default/docs-team')).toBe(
      AuthorizeResult.ALLOW,
    );
  });

  it('lets only a platform group register catalog Locations', async () => {
    expect(await decide(guest, catalogLocationCreatePermission)).toBe(
      AuthorizeResult.DENY,
    );
    expect(await decide(dana, catalogLocationCreatePermission)).toBe(
      AuthorizeResult.DENY,
    );
    expect(await decide(pat, catalogLocationCreatePermission)).toBe(
      AuthorizeResult.ALLOW,
    );
  });

  it('gives a caller without a user identity no ownership claims', async () => {
    const decision = await permissions.policy.handle({
      permission: deliveryRollbackPermission,
    });
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
      expect(
        await decide(dana, permission, 'component:default/payments-api'),
      ).toBe(AuthorizeResult.ALLOW);
    }
  });
});
