import type { DeliveryStatus } from './status';

/** How long after its commit a change that is built but not healthy still counts as walking. */
const WALKING_MS = 3600_000;

/**
 * Whether a change is on its way: a build queued or running, an application
 * out of sync, progressing or mid-operation, or a timeline change that has
 * hops running or pending (or, committed within the hour, is built but not
 * yet healthy) and nothing failed. The backend then caches the entity's
 * sections with the shorter TTL and the page polls faster: both decide it
 * here.
 *
 * @public
 */
export function isInMotion(status: DeliveryStatus): boolean {
  const building = (status.build.data?.builds ?? []).some(
    b => b.status === 'running' || b.status === 'queued',
  );
  const deploying = (status.sync.data?.environments ?? []).some(
    e =>
      e.syncStatus === 'OutOfSync' ||
      e.healthStatus === 'Progressing' ||
      e.operation?.phase === 'Running',
  );
  const hopMoving = status.timeline.some(entry => {
    const states = Object.values(entry.hops).map(h => h.state);
    return (
      !states.includes('failed') &&
      states.some(s => s === 'running' || s === 'pending')
    );
  });
  const newest = status.timeline[0];
  const walking =
    newest !== undefined &&
    newest.hops.built.state === 'done' &&
    newest.hops.healthy.state !== 'done' &&
    !Object.values(newest.hops).some(h => h.state === 'failed') &&
    Date.parse(newest.commit.committedAt) >
      Date.parse(status.generatedAt) - WALKING_MS;
  return building || deploying || hopMoving || walking;
}

/**
 * The signals channel on which the delivery backend says an entity's
 * status changed (a push reached its repository, it was promoted or rolled
 * back): the page refreshes at once instead of at its next poll. The
 * message is {@link DeliveryStatusSignal}; it names the entity only.
 *
 * @public
 */
export function deliveryStatusChannel(entityRef: string): string {
  return `delivery:status:${entityRef.toLowerCase()}`;
}

/** What a {@link deliveryStatusChannel} message says. @public */
export type DeliveryStatusSignal = {
  entityRef: string;
  /** `push`, `promote` or `rollback`. */
  reason: string;
};
