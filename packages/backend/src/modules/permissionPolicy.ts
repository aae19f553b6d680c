import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  readPlatformGroups,
  SlipwayPermissionPolicy,
} from '@internal/backstage-plugin-delivery-node';

/**
 * Installs Slipway's permission policy (plugins/delivery-node,
 * `SlipwayPermissionPolicy`) in the permission backend: a service's owners
 * (or the platform groups of `slipway.permissions.platformGroups`) may
 * change it; only platform groups register catalog Locations.
 */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'slipway-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        userInfo: coreServices.userInfo,
        config: coreServices.rootConfig,
      },
      async init({ policy, userInfo, config }) {
        policy.setPolicy(
          new SlipwayPermissionPolicy({
            userInfo,
            platformGroups: readPlatformGroups(config),
          }),
        );
      },
    });
  },
});
