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

/**
 * Act on a service's canary in one environment (promote, promote full,
 * abort, retry): an Argo CD resource action on its Rollout. @public
 */
export const deliveryRolloutPermission = createPermission({
  name: 'delivery.rollout',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Create a new service owned by a group: authorized on the owner Group
 * entity (the caller must belong to it, or to a platform group). @public
 */
export const serviceCreatePermission = createPermission({
  name: 'slipway.service.create',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/**
 * Adopt existing upstream resources (ECR repository, IAM role, chart, Argo
 * CD application) into a service on purpose, e.g. migrating it into
 * Slipway: authorized on the entity the resources are bound to. @public
 */
export const serviceAdoptPermission = createPermission({
  name: 'slipway.service.adopt',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** Decommission a service: delete what Slipway created for it. @public */
export const serviceDeletePermission = createPermission({
  name: 'slipway.service.delete',
  attributes: { action: 'delete' },
  resourceType: 'catalog-entity',
});

/**
 * Every permission that changes a service. Only the entity's owners (or a
 * platform group) hold them under Slipway's policy. @public
 */
export const serviceChangePermissions = [
  deliveryRollbackPermission,
  deliveryPromotePermission,
  deliveryRolloutPermission,
  serviceAdoptPermission,
  serviceDeletePermission,
];

/** All of Slipway's permissions. @public */
export const deliveryPermissions = [
  deliveryStatusReadPermission,
  serviceCreatePermission,
  ...serviceChangePermissions,
];
