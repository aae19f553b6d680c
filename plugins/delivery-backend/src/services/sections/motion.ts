import { DeliveryStatus } from '@internal/backstage-plugin-delivery-common';

/**
 * A change is on its way: a build, a sync or a rollout is not finished,
 * or the newest commit is built but not yet healthy (and nothing failed).
 * Such an entity's sections use the shorter TTL.
 */
export function inMotion(status: DeliveryStatus): boolean {
  const building = status.build.data?.builds.some(
    b => b.status === 'running' || b.status === 'queued',
  );
  const deploying = status.sync.data?.environments.some(
    e =>
      e.syncStatus === 'OutOfSync' ||
      e.healthStatus === 'Progressing' ||
      e.operation?.phase === 'Running',
  );
  const newest = status.timeline[0];
  const walking =
    newest !== undefined &&
    newest.hops.built.state === 'done' &&
    newest.hops.healthy.state !== 'done' &&
    !Object.values(newest.hops).some(h => h.state === 'failed') &&
    Date.parse(newest.commit.committedAt) >
      Date.parse(status.generatedAt) - 3600_000;
  return Boolean(building || deploying || walking);
}
