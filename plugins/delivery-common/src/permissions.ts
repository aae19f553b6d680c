import { createPermission } from '@backstage/plugin-permission-common';

/** Read a service's delivery status (build, image, sync, timeline). @public */
export const deliveryStatusReadPermission = createPermission({
  name: 'delivery.status.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/** Roll a service back in one environment (a revert commit in helm-charts). @public */
export const deliveryRollbackPermission = createPermission({
  name: 'delivery.rollback',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** Promote the running image from one environment to the next. @public */
export const deliveryPromotePermission = createPermission({
  name: 'delivery.promote',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** All of the delivery plugin's permissions. @public */
export const deliveryPermissions = [
  deliveryStatusReadPermission,
  deliveryRollbackPermission,
  deliveryPromotePermission,
];
