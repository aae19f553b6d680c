import { LoggerService } from '@backstage/backend-plugin-api';
import {
  deliveryStatusChannel,
  DeliveryStatusSignal,
} from '@internal/backstage-plugin-delivery-common';
import type { SignalsService } from '@backstage/plugin-signals-node';

/**
 * Tells open pages that entities' statuses changed, through Backstage's
 * signals (which reach every replica's browsers over the events bus), so
 * they refresh at once; their polling stays as the fallback. A failure to
 * announce is logged and never fails the change that caused it.
 */
export type AnnounceChange = (
  entityRefs: string[],
  reason: DeliveryStatusSignal['reason'],
) => Promise<void>;

export function statusAnnouncer(
  signals: SignalsService,
  logger: LoggerService,
): AnnounceChange {
  return async (entityRefs, reason) => {
    await Promise.all(
      entityRefs.map(async entityRef => {
        try {
          await signals.publish<DeliveryStatusSignal>({
            // The channel names one entity; only its open pages listen.
            recipients: { type: 'broadcast' },
            channel: deliveryStatusChannel(entityRef),
            message: { entityRef, reason },
          });
        } catch (error) {
          logger.warn(`Could not signal the status change of ${entityRef}`, {
            error: String(error),
          });
        }
      }),
    );
  };
}
