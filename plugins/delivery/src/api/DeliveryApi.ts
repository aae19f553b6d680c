import { createApiRef } from '@backstage/frontend-plugin-api';
import type {
  DeliveryStatus,
  EnvironmentSummary,
  PromoteRequest,
  ReleaseResult,
  RollbackRequest,
  RolloutActionRequest,
  RolloutActionResult,
} from '@internal/backstage-plugin-delivery-common';

/**
 * The delivery backend as the browser sees it: one status read per entity
 * page, the two release actions (both are commits to helm-charts) and the
 * canary actions (Argo CD resource actions on a Rollout).
 *
 * @public
 */
export interface DeliveryApi {
  /** Build, image and sync sections, the timeline and DORA for one entity. */
  getStatus(entityRef: string): Promise<DeliveryStatus>;
  /** The portal's environments (`slipway.environments`), in promotion order. */
  getEnvironments(): Promise<EnvironmentSummary[]>;
  /** Reverts the entity's last tag bump in one environment. */
  rollback(request: RollbackRequest): Promise<ReleaseResult>;
  /** Copies the tag running in `from` into `to`'s values file. */
  promote(request: PromoteRequest): Promise<ReleaseResult>;
  /**
   * Acts on the canary of one environment (resume, promote-full, abort,
   * retry). Refused with 409 when Argo CD does not offer the action now.
   */
  rolloutAction(request: RolloutActionRequest): Promise<RolloutActionResult>;
}

/**
 * The {@link DeliveryApi}'s reference.
 *
 * @public
 */
export const deliveryApiRef = createApiRef<DeliveryApi>().with({
  id: 'plugin.delivery.api',
  pluginId: 'delivery',
});
