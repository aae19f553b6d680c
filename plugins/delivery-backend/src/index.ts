/**
 * Slipway's delivery backend: one endpoint per entity for the catalog
 * page's build, image and sync cards and its commit-to-running timeline,
 * plus rollback and promote as helm-charts commits.
 *
 * @packageDocumentation
 */

export { deliveryPlugin as default } from './plugin';
export {
  createDeliveryUpstreams,
  deliveryUpstreamsOf,
  deliveryUpstreamsServiceRef,
} from './services/deliveryUpstreams';
export type { DeliveryClients } from './services/deliveryUpstreams';
export { DeliveryStatusService } from './services/DeliveryStatusService';
export { DatabaseLoadLeases } from './services/loadLeases';
export { DeliveryHistory } from './history/DeliveryHistory';
export type { HealthObservation } from './history/DeliveryHistory';
export { pollHealth } from './history/healthPoll';
export type { HealthPollResult } from './history/healthPoll';
export type { LoadLeases } from './services/loadLeases';
export { ReleaseService } from './services/ReleaseService';
export { readDeliverySettings } from './services/settings';
export type { DeliverySettings } from './services/settings';
export type {
  DeliveryUpstreams,
  GitHubUpstream,
  JenkinsUpstream,
  EcrUpstream,
  ArgoCdUpstream,
  HelmChartsUpstream,
} from './services/upstreams';
