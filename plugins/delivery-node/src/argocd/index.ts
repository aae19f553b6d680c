/*
 * Argo CD: a REST client per instance, the configured instances, and the
 * ownership labels Slipway puts on the Applications it creates.
 */

export { ArgoCdClient } from './ArgoCdClient';
export type { ArgoCdClientOptions, ArgoCdInstanceConfig } from './ArgoCdClient';
export { ArgoCdInstances, readArgoCdSettings } from './ArgoCdInstances';
export type { ArgoCdSettings } from './ArgoCdInstances';
export {
  isBoundTo,
  isOwnedBy,
  ownerLabelValue,
  ownershipMetadata,
} from './ownership';
export type * from './types';
