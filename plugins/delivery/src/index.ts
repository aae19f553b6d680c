/**
 * Slipway's delivery plugin for the new frontend system: build, image,
 * sync, runtime and rollout (canary) cards and a Delivery tab
 * (commit-to-running timeline, canary actions, DORA four keys, rollback and
 * promote) on the catalog entity page, all from one request to the delivery
 * backend per refresh.
 *
 * @packageDocumentation
 */

export { deliveryPlugin as default } from './plugin';
export { deliveryApiRef, DeliveryClient } from './api';
export type { DeliveryApi } from './api';
export { isDeliveryAvailable } from './conditions';
export { useDeliveryStatus } from './hooks';
export type { StatusSnapshot } from './hooks';
export { BuildStatusCard } from './components/BuildStatusCard';
export { ImageStatusCard } from './components/ImageStatusCard';
export { SyncStatusCard } from './components/SyncStatusCard';
export { RuntimeCard } from './components/RuntimeCard';
export { RolloutCard } from './components/RolloutCard';
export { DeliveryContent } from './components/DeliveryContent';
