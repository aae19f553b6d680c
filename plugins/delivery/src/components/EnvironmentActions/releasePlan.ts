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

/** Whether an Argo CD application deploys the environment. */
export function isDeployed(status: DeliveryStatus, environment: string) {
  return (
    status.sync.data?.environments.some(e => e.environment === environment) ??
    false
  );
}

/**
 * Whether the environment has its own tag (set by a promote or a rollback
 * in `values-<env>.yaml`), as far as the listed helm-charts history shows;
 * otherwise it follows the shared values.yaml that CI bumps.
 */
export function isPinned(status: DeliveryStatus, environment: string) {
  return (status.gitops.data?.changes ?? []).some(
    c => c.tag && c.environment === environment,
  );
}

/**
 * Why rolling the environment back is not offered: one that follows the
 * shared values.yaml can only be rolled back through the environment CI
 * deploys to (the first), which moves every environment that follows it.
 */
export function rollbackRefusal(
  status: DeliveryStatus,
  environment: string,
): string | undefined {
  const first = status.environments[0];
  if (environment === first || isPinned(status, environment)) {
    return undefined;
  }
  return `${environment} follows the tag CI sets for ${first}: roll back ${first}, or promote a tag into ${environment} first`;
}

/** Tags set for an environment in helm-charts, newest first: its own, else the shared values.yaml's. */
function tagChanges(status: DeliveryStatus, environment: string): string[] {
  const pinned = isPinned(status, environment);
  return (status.gitops.data?.changes ?? [])
    .filter(c =>
      c.tag && pinned
        ? c.environment === environment
        : c.environment === undefined,
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
