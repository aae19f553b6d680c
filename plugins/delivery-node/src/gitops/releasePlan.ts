/*
 * The release rules of the helm-charts layout, decided once: which file
 * sets an environment's tag (its own values-<env>.yaml when pinned, else
 * the shared values.yaml that CI bumps), which tag a rollback returns to,
 * and which actions each environment offers. The rollback route applies
 * them to the files it reads; the status applies them to the chart's
 * history, so the page shows what the route will do.
 */

import type {
  ChartChange,
  EnvironmentRelease,
  EnvironmentSync,
  RollbackOption,
} from '@internal/backstage-plugin-delivery-common';

/** A helm-charts commit that may have set a tag. @public */
export interface TagChange {
  sha: string;
  /** The commit's subject (first line). */
  subject: string;
  tag?: string;
  /** The environment its trailers name; absent for CI's values.yaml bump. */
  environment?: string;
}

/** A rollback that can be made: its tags and the commit it reverts. @public */
export interface RollbackTarget {
  possible: true;
  fromTag: string;
  toTag: string;
  reverts: { sha: string; subject: string };
}

/** Why a rollback cannot be made. @public */
export interface RollbackRefusal {
  possible: false;
  reason: string;
  /** `follows-shared`: asked of an environment that follows CI's tag; the others: nothing to return to. */
  why: 'follows-shared' | 'no-tag' | 'no-earlier-tag';
}

/**
 * Refuses rolling back an environment that follows the shared values.yaml
 * unless it is the one CI deploys to (the first): reverting values.yaml
 * would move every environment that follows it.
 *
 * @public
 */
export function followsSharedRefusal(options: {
  name: string;
  environment: string;
  environments: string[];
  pinned: boolean;
}): RollbackRefusal | undefined {
  const { name, environment, environments, pinned } = options;
  const first = environments[0];
  if (pinned || environment === first) return undefined;
  return {
    possible: false,
    why: 'follows-shared',
    reason: `${environment} follows the tag CI sets in charts/${name}/values.yaml for ${first}; roll back ${first}, or promote a tag into ${environment} first`,
  };
}

/**
 * The rollback of a tag file: from `current` back to the tag set before
 * the newest change that set `current`. `history` holds the changes that
 * apply to the file, newest first.
 *
 * @public
 */
export function planRollback(options: {
  file: string;
  current?: string;
  history: TagChange[];
}): RollbackTarget | RollbackRefusal {
  const { file, current, history } = options;
  if (!current) {
    return {
      possible: false,
      why: 'no-tag',
      reason: `${file} sets no image.tag; nothing to roll back`,
    };
  }
  const last = history.findIndex(c => c.tag === current);
  const previous =
    last === -1
      ? undefined
      : history.slice(last + 1).find(c => c.tag && c.tag !== current);
  if (last === -1 || !previous?.tag) {
    return {
      possible: false,
      why: 'no-earlier-tag',
      reason: `No earlier image tag in the recent history of ${file}; nothing to roll back to`,
    };
  }
  return {
    possible: true,
    fromTag: current,
    toTag: previous.tag,
    reverts: { sha: history[last].sha, subject: history[last].subject },
  };
}

/** What {@link environmentReleases} calls the shared values.yaml. */
const SHARED = Symbol('values.yaml');

/** The tag of an image reference (`…/payments-api:3f2a1bc-42` → `3f2a1bc-42`). */
function tagOfImage(image: string): string | undefined {
  const ref = image.split('@')[0];
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : undefined;
}

/**
 * Per environment, in promotion order: the tag it runs, whether it is
 * deployed and pinned, what Rollback would do and where Promote goes, as
 * far as the chart's listed history and Argo CD show.
 *
 * @public
 */
export function environmentReleases(options: {
  name: string;
  environments: string[];
  /** The chart's helm-charts history, newest first; undefined when it could not be read. */
  changes?: ChartChange[];
  /** Argo CD's applications, one per deployed environment. */
  sync: EnvironmentSync[];
  /** The service's ECR repository URI, to pick its image among the application's. */
  repositoryUri?: string;
}): EnvironmentRelease[] {
  const { name, environments, sync, repositoryUri } = options;
  const changes = options.changes ?? [];
  // Only a promote pins an environment (it writes values-<env>.yaml); a
  // rollback names its environment but writes whichever file set the tag,
  // the shared values.yaml for an environment that follows CI.
  const isPinned = (environment: string) =>
    changes.some(
      c => c.kind === 'promote' && c.tag && c.environment === environment,
    );
  const fileOf = (c: ChartChange) =>
    c.environment !== undefined &&
    (c.kind === 'promote' || isPinned(c.environment))
      ? c.environment
      : SHARED;
  return environments.map((environment, i) => {
    // Pinned as far as the history shows: a change set a tag for it.
    const pinned = isPinned(environment);
    const history: TagChange[] = changes
      .filter(c => fileOf(c) === (pinned ? environment : SHARED))
      .map(c => ({ ...c, subject: c.message }));
    const app = sync.find(e => e.environment === environment);
    const image =
      app?.images.find(
        img => repositoryUri && img.startsWith(`${repositoryUri}:`),
      ) ?? app?.images[0];
    // What helm-charts sets for it is what a rollback starts from.
    const chartTag = history.find(c => c.tag)?.tag;
    const runningTag = (image && tagOfImage(image)) ?? chartTag;
    const file = pinned
      ? `charts/${name}/values-${environment}.yaml`
      : `charts/${name}/values.yaml`;
    const plan: RollbackTarget | RollbackRefusal = options.changes
      ? followsSharedRefusal({ name, environment, environments, pinned }) ??
        planRollback({ file, current: chartTag, history })
      : {
          possible: false,
          why: 'no-tag',
          reason: `The helm-charts history of charts/${name} could not be read`,
        };
    const rollback: RollbackOption = plan.possible
      ? { possible: true, fromTag: plan.fromTag, toTag: plan.toTag }
      : { possible: false, reason: plan.reason };
    return {
      environment,
      ...(runningTag ? { runningTag } : {}),
      deployed: Boolean(app),
      pinned,
      rollback,
      ...(environments[i + 1] ? { promoteTo: environments[i + 1] } : {}),
    };
  });
}
