import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { ServiceAccess } from './ServiceAccess';

/**
 * The plugin's {@link ServiceAccess}: who may change which service, decided
 * through the permission framework with the plugin's catalog client and
 * auditor. Used by the delivery backend and both scaffolder modules.
 *
 * @public
 */
export const serviceAccessServiceRef = createServiceRef<ServiceAccess>({
  id: 'slipway.service-access',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        catalog: catalogServiceRef,
        permissions: coreServices.permissions,
        auditor: coreServices.auditor,
      },
      factory: deps => new ServiceAccess(deps),
    }),
});
