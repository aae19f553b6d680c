import { UserInfoService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  isPermission,
  PermissionCondition,
  PermissionCriteria,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  catalogEntityDeletePermission,
  catalogLocationCreatePermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  serviceChangePermissions,
  serviceCreatePermission,
} from '@internal/backstage-plugin-delivery-common';

/**
 * The platform groups from `slipway.permissions.platformGroups`: their
 * members may change any service and register catalog Locations.
 *
 * @public
 */
export function readPlatformGroups(config: Config): string[] {
  return (
    config.getOptionalStringArray('slipway.permissions.platformGroups') ?? []
  ).map(ref => {
    const parsed = parseEntityRef(ref, { defaultKind: 'group' });
    return `${parsed.kind}:${parsed.namespace}/${parsed.name}`.toLowerCase();
  });
}

/**
 * Slipway's permission policy. Identity decides, never a name:
 *
 * - changing a service (roll back, promote, adopt, decommission) and
 *   unregistering an entity: the entity's owners (the user, or a group the
 *   user belongs to; a catalog conditional decision), or a platform group;
 * - creating a service: members of the owner Group (a conditional decision
 *   on the Group entity), or a platform group;
 * - registering and removing catalog Locations: a platform group only
 *   (Slipway's own actions register and remove a service's Location with
 *   the scaffolder's service credentials, after their own checks);
 * - everything else is allowed to signed-in users.
 *
 * @public
 */
export class SlipwayPermissionPolicy implements PermissionPolicy {
  readonly #userInfo: UserInfoService;
  readonly #platformGroups: Set<string>;

  constructor(options: {
    userInfo: UserInfoService;
    platformGroups: string[];
  }) {
    this.#userInfo = options.userInfo;
    this.#platformGroups = new Set(options.platformGroups);
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    const claims = await this.#claims(user);
    const platform = claims.some(c => this.#platformGroups.has(c));

    if (
      serviceChangePermissions.some(p => isPermission(permission, p)) ||
      isPermission(permission, catalogEntityDeletePermission)
    ) {
      if (platform) return { result: AuthorizeResult.ALLOW };
      return createCatalogConditionalDecision(
        permission as typeof catalogEntityDeletePermission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }

    if (isPermission(permission, serviceCreatePermission)) {
      if (platform) return { result: AuthorizeResult.ALLOW };
      const groups = claims.filter(c => c.startsWith('group:'));
      if (!groups.length) return { result: AuthorizeResult.DENY };
      const [first, ...rest] = groups.map(ref => {
        const g = parseEntityRef(ref);
        const criteria: PermissionCriteria<
          PermissionCondition<'catalog-entity'>
        > = {
          allOf: [
            catalogConditions.isEntityKind({ kinds: ['Group'] }),
            catalogConditions.hasMetadata({
              key: 'namespace',
              value: g.namespace,
            }),
            catalogConditions.hasMetadata({ key: 'name', value: g.name }),
          ],
        };
        return criteria;
      });
      return createCatalogConditionalDecision(permission, {
        anyOf: [first, ...rest],
      });
    }

    if (
      isPermission(permission, catalogLocationCreatePermission) ||
      isPermission(permission, catalogLocationDeletePermission)
    ) {
      // Users register Locations only in a platform group. (Backstage's
      // permission client allows service principals without asking a
      // policy: Slipway's actions register a service's Location with the
      // scaffolder's own credentials, after their own checks.)
      return {
        result: platform ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      };
    }

    return { result: AuthorizeResult.ALLOW };
  }

  async #claims(user?: PolicyQueryUser): Promise<string[]> {
    if (
      !user ||
      (user.credentials.principal as { type?: string }).type !== 'user'
    )
      return [];
    const info = await this.#userInfo.getUserInfo(user.credentials);
    return info.ownershipEntityRefs.map(r => r.toLowerCase());
  }
}
