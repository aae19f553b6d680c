import type { DeliveryStatus } from '@internal/backstage-plugin-delivery-common';
import { imageTag } from '../common';

/**
 * The tag an environment runs now: the service's image in its Argo CD
 * application, else the newest tag change in helm-charts that applies to it.
 */
export function runningTag(
  status: DeliveryStatus,
  environment: string,
): string | undefined {
  const env = status.sync.data?.environments.find(
    e => e.environment === environment,
  );
  const repositoryUri = status.image.data?.repositoryUri;
  const image =
    env?.images.find(i => repositoryUri && i.startsWith(`${repositoryUri}:`)) ??
    env?.images[0];
  return image ? imageTag(image) : tagChanges(status, environment)[0];
}

/** Tags set for an environment in helm-charts (its own values file or the shared one), newest first. */
function tagChanges(status: DeliveryStatus, environment: string): string[] {
  return (status.gitops.data?.changes ?? [])
    .filter(
      c =>
        c.tag && (c.environment === environment || c.environment === undefined),
    )
    .map(c => c.tag as string);
}

/**
 * The tag a rollback goes back to, as far as the helm-charts history shows:
 * the one set before the environment's last tag bump. The backend decides;
 * this only names it in the confirm dialog.
 */
export function previousTag(
  status: DeliveryStatus,
  environment: string,
): string | undefined {
  return tagChanges(status, environment)[1];
}

/** The confirm dialog's sentence for a rollback. */
export function rollbackSentence(
  status: DeliveryStatus,
  environment: string,
): string {
  const from = runningTag(status, environment) ?? 'its current tag';
  const to = previousTag(status, environment) ?? 'the previous tag';
  return `Commit to helm-charts: ${environment} from ${from} back to ${to}`;
}

/** The confirm dialog's sentence for a promotion. */
export function promoteSentence(
  status: DeliveryStatus,
  from: string,
  to: string,
): string {
  const current = runningTag(status, to) ?? 'its current tag';
  const next = runningTag(status, from) ?? `the tag running in ${from}`;
  return `Commit to helm-charts: ${to} from ${current} to ${next} (running in ${from})`;
}
