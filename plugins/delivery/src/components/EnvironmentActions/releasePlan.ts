import type {
  DeliveryStatus,
  EnvironmentRelease,
} from '@internal/backstage-plugin-delivery-common';

/*
 * The backend decides what runs and which release actions are possible
 * (the status's `releases`, from delivery-node's helm-charts rules); these
 * helpers only find and phrase them.
 */

/** The environment's release facts, when the status has them. */
export function releaseOf(
  status: DeliveryStatus,
  environment: string,
): EnvironmentRelease | undefined {
  return status.releases?.find(r => r.environment === environment);
}

/** The confirm dialog's sentence for a rollback. */
export function rollbackSentence(release?: EnvironmentRelease): string {
  const environment = release?.environment ?? 'the environment';
  if (!release?.rollback.possible) {
    return `Commit to helm-charts: ${environment} from its current tag back to the previous tag`;
  }
  const { fromTag, toTag } = release.rollback;
  return `Commit to helm-charts: ${environment} from ${fromTag} back to ${toTag}`;
}

/** The confirm dialog's sentence for a promotion. */
export function promoteSentence(
  from: EnvironmentRelease | undefined,
  to: EnvironmentRelease | undefined,
  approval = false,
): string {
  const target = to?.environment ?? from?.promoteTo ?? 'the next environment';
  const current = to?.runningTag ?? 'its current tag';
  const source = from?.environment ?? 'the previous environment';
  const next = from?.runningTag ?? `the tag running in ${source}`;
  const change = `${target} from ${current} to ${next} (running in ${source})`;
  return approval
    ? `Open a pull request in helm-charts: ${change}. ${target} needs an approval: it moves when the pull request is merged.`
    : `Commit to helm-charts: ${change}`;
}
