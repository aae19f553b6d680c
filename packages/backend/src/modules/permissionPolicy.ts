import {
  coreServices,
  createBackendModule,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  deliveryPromotePermission,
  deliveryRollbackPermission,
} from '@internal/backstage-plugin-delivery-common';

/**
 * Slipway's permission policy: rolling a service back or promoting it
 * changes what runs, so only the service's owners may (the user, or a group
 * the user belongs to, owns the entity); everything else is allowed to
 * signed-in users. Replace or extend this class to fit your organisation.
 */
export class SlipwayPermissionPolicy implements PermissionPolicy {
  readonly #userInfo: UserInfoService;

  constructor(options: { userInfo: UserInfoService }) {
    this.#userInfo = options.userInfo;
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (
      isPermission(request.permission, deliveryRollbackPermission) ||
      isPermission(request.permission, deliveryPromotePermission)
    ) {
      const claims =
        user &&
        (user.credentials.principal as { type?: string }).type === 'user'
          ? (await this.#userInfo.getUserInfo(user.credentials))
              .ownershipEntityRefs
          : [];
      return createCatalogConditionalDecision(
        request.permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

/** Installs {@link SlipwayPermissionPolicy} in the permission backend. */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'slipway-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, userInfo: coreServices.userInfo },
      async init({ policy, userInfo }) {
        policy.setPolicy(new SlipwayPermissionPolicy({ userInfo }));
      },
    });
  },
});
