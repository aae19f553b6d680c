/*
 * DORA's four keys for one environment, from the service's helm-charts
 * changes (what was deployed, and when it was reverted), Argo CD's sync
 * history (when it reached the cluster) and the app repository's commits
 * (for lead time). Pure: `now` is passed in. The definitions, and where the
 * figures are approximations, are in DORA.md next to this file.
 */

import type {
  ChartChange,
  ChartChangeKind,
  DoraReport,
  DoraWindow,
  EnvironmentSync,
  GitOpsSection,
} from '@internal/backstage-plugin-delivery-common';
import {
  ChangeOrder,
  firstDeployment,
  msBetween,
  shortSha,
} from './changeOrder';

/** One change that set an environment's image tag. */
export interface DoraDeployment {
  /** The helm-charts commit that set the tag. */
  sha: string;
  kind: ChartChangeKind;
  /** The image tag it set, `<sha7>-<build>` for CI's images. */
  tag: string;
  /** When it reached the environment (ISO 8601); see `timeFrom`. */
  deployedAt: string;
  /** `argocd`: the deployedAt of Argo CD's history entry for this revision; `commit`: the helm-charts commit time, when the bounded history no longer has it. */
  timeFrom: 'argocd' | 'commit';
  /** Reverted by a later rollback change, or seen Degraded while the environment ran it (now, or in the recorded health). */
  failed: boolean;
  /**
   * For a failed deployment, when the failure began where that is known:
   * Argo CD's health turned Degraded while it ran (`lastTransitionTime`),
   * kept by the deployment history once seen. Unknown for a rollback's
   * target that never showed as Degraded: recovery is then timed from the
   * deployment.
   */
  failedAt?: string;
  /** For a failed deployment: when the next deployment that did not fail reached the environment. */
  restoredAt?: string;
}

/** What {@link doraDeployments} reads. */
export interface DoraDeploymentsInput {
  environment: string;
  /**
   * The environment takes its tag from the shared values.yaml (it sets none
   * in `values-<env>.yaml`), so CI's deploy changes, which carry no
   * environment, deploy to it.
   */
  isBaseEnvironment: boolean;
  gitops: GitOpsSection;
  /** The environment's Argo CD application, when known. */
  sync?: EnvironmentSync;
  /**
   * Health the environment was seen in before now (the delivery history's
   * record, any order): a deployment that ran `Degraded` failed, even when
   * it has since been replaced by a fix instead of a rollback.
   */
  health?: HealthTransition[];
}

/** The environment's Argo CD health from `since`, while it ran `revision`. */
export interface HealthTransition {
  status: string;
  /** The helm-charts commit the application was synced to. */
  revision?: string;
  since: string;
}

/**
 * The deployments to one environment, newest first: each helm-charts change
 * that set the environment's image tag (deploy, promote and rollback alike).
 */
export function doraDeployments(input: DoraDeploymentsInput): DoraDeployment[] {
  const { environment, isBaseEnvironment, gitops, sync } = input;
  const changes = gitops.changes;
  const setsTag = (c: ChartChange): c is ChartChange & { tag: string } =>
    c.tag !== undefined &&
    (c.environment === environment ||
      (c.environment === undefined && isBaseEnvironment));
  const ofEnv = changes.filter(setsTag);

  // The change an environment at `revision` runs: that change, or the
  // newest deployment before it when the revision is a later change.
  const order = new ChangeOrder(changes, gitops.branchCommits);
  const runAt = (revision: string | undefined) =>
    revision
      ? ofEnv.find(c => order.includes(revision, c.sha) === true)
      : undefined;

  // When each deployment was first seen Degraded: now (Argo CD's health
  // and its lastTransitionTime) and before (the recorded transitions).
  const degradedSince = new Map<string, string>();
  const transitions = [...(input.health ?? [])];
  if (sync?.healthStatus === 'Degraded') {
    transitions.push({
      status: 'Degraded',
      revision: sync.revision,
      since: sync.healthSince ?? '',
    });
  }
  for (const t of transitions) {
    if (t.status !== 'Degraded') continue;
    const ran = runAt(t.revision);
    if (!ran) continue;
    const earlier = degradedSince.get(ran.sha);
    if (earlier === undefined || Date.parse(t.since) < Date.parse(earlier)) {
      degradedSince.set(ran.sha, t.since);
    }
  }

  const newestFirst: DoraDeployment[] = ofEnv.map(change => {
    const reverted = changes.some(
      later =>
        later.kind === 'rollback' &&
        later.reverts === change.sha &&
        (order.position(later.sha) ?? Infinity) <
          (order.position(change.sha) ?? -Infinity),
    );
    const seen =
      sync && firstDeployment(sync.history, change.sha, order)?.deployedAt;
    const deployedAt = seen ?? change.committedAt;
    const degraded = degradedSince.get(change.sha);
    const deployment: DoraDeployment = {
      sha: change.sha,
      kind: change.kind,
      tag: change.tag,
      deployedAt,
      timeFrom: seen ? 'argocd' : 'commit',
      failed: reverted || degraded !== undefined,
    };
    // The failure began when it turned Degraded, or at its deployment when
    // the environment was already Degraded then (or the time is unknown).
    if (degraded !== undefined) {
      deployment.failedAt =
        Date.parse(degraded) > Date.parse(deployedAt) ? degraded : deployedAt;
    }
    return deployment;
  });
  markRestored(newestFirst);
  return newestFirst;
}

/**
 * Sets `restoredAt` on each failed deployment (newest first): the time of
 * the next, newer deployment that did not fail.
 */
export function markRestored(newestFirst: DoraDeployment[]): void {
  let restoredAt: string | undefined;
  for (const deployment of newestFirst) {
    if (deployment.failed) {
      if (restoredAt !== undefined) {
        deployment.restoredAt = restoredAt;
      } else {
        delete deployment.restoredAt;
      }
    } else {
      restoredAt = deployment.deployedAt;
    }
  }
}

/** What {@link computeDora} reads. */
export interface DoraInput {
  environment: string;
  /** From {@link doraDeployments}; any order. */
  deployments: DoraDeployment[];
  /** The app repository's default branch, newest first (a linear history). */
  commits: { sha: string; committedAt: string }[];
  now: Date;
  /** Window lengths in days; 7, 30 and 90 unless given. */
  windows?: number[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The median; for an even count, the mean of the two middle values. */
export function median(values: number[]): number | undefined {
  if (values.length === 0) {
    return undefined;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[mid]
    : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * DORA's keys over windows ending at `now` (a window of d days holds the
 * times t with now − d days < t ≤ now). A change deployment is a deploy or
 * a promotion; a rollback is rework:
 *
 * - deployment frequency: change deployments / days;
 * - lead time for changes: median of first deployed − committed over the
 *   app commits first deployed (by a change deployment) in the window;
 * - change failure rate: failed / all change deployments in the window;
 * - deployment rework rate: rollbacks / all deployments in the window;
 * - failed deployment recovery time: median of restored − failure start
 *   (`failedAt`, else the deployment) over the failed deployments in the
 *   window that were restored by `now`.
 */
export function computeDora(input: DoraInput): DoraReport {
  const { environment, commits } = input;
  const now = input.now.getTime();
  const deployments = input.deployments
    .map(d => ({ ...d, time: Date.parse(d.deployedAt) }))
    .filter(d => Number.isFinite(d.time) && d.time <= now)
    .sort((a, b) => a.time - b.time);

  // Each commit's first deployment: the first change deployment whose
  // image was built from that commit or a newer one on the branch (a
  // rollback brings back an older image, never a new commit).
  const position = new Map<string, number>();
  commits.forEach((c, i) => position.set(shortSha(c.sha), i));
  const changes = deployments.filter(d => d.kind !== 'rollback');
  const firstDeployed = commits.map(
    (commit, i): { committed: number; deployed: number } | undefined => {
      const first = changes.find(d => {
        const built = position.get(d.tag.split('-')[0]);
        return built !== undefined && built <= i;
      });
      const committed = Date.parse(commit.committedAt);
      return first && Number.isFinite(committed)
        ? { committed, deployed: first.time }
        : undefined;
    },
  );

  const windows = (input.windows ?? [7, 30, 90]).map((days): DoraWindow => {
    const from = now - days * DAY_MS;
    const inWindow = (t: number) => t > from && t <= now;
    const all = deployments.filter(d => inWindow(d.time));
    const deployed = all.filter(d => d.kind !== 'rollback');
    const rollbacks = all.length - deployed.length;
    const failed = deployed.filter(d => d.failed);
    const leadTimes = firstDeployed
      .filter(
        (f): f is { committed: number; deployed: number } =>
          f !== undefined && inWindow(f.deployed),
      )
      .map(f => Math.max(0, f.deployed - f.committed));
    const restoreTimes: number[] = [];
    for (const d of failed) {
      const start = d.failedAt ?? d.deployedAt;
      const ms = msBetween(start, d.restoredAt);
      // Restored by `now`: a restore after the window's end has not happened yet.
      if (ms !== undefined && ms >= 0 && Date.parse(start) + ms <= now) {
        restoreTimes.push(ms);
      }
    }

    const window: DoraWindow = {
      days,
      deployments: deployed.length,
      deploymentsPerDay: deployed.length / days,
      failedDeployments: failed.length,
      rollbacks,
    };
    const lead = median(leadTimes);
    if (lead !== undefined) {
      window.leadTimeMedianMs = lead;
    }
    if (deployed.length > 0) {
      window.changeFailureRate = failed.length / deployed.length;
    }
    if (all.length > 0) {
      window.reworkRate = rollbacks / all.length;
    }
    const restore = median(restoreTimes);
    if (restore !== undefined) {
      window.timeToRestoreMedianMs = restore;
    }
    return window;
  });

  return { environment, windows, basis: basis(input, deployments) };
}

function basis(input: DoraInput, sorted: DoraDeployment[]): string {
  const fromArgo = sorted.filter(d => d.timeFrom === 'argocd').length;
  const fromCommit = sorted.length - fromArgo;
  const since = sorted.length > 0 ? ` since ${sorted[0].deployedAt}` : '';
  const oldestCommit = input.commits[input.commits.length - 1];
  const commitsSince = oldestCommit
    ? ` (since ${oldestCommit.committedAt})`
    : '';
  return [
    `${sorted.length} helm-charts changes that set ${input.environment}'s image tag${since}`,
    `deployment times from Argo CD's sync history for ${fromArgo}, from the helm-charts commit time for ${fromCommit}`,
    'rollbacks are rework, not change deployments',
    `failures are change deployments reverted by a rollback or running Degraded, timed from when they turned Degraded for ${
      sorted.filter(d => d.failedAt).length
    } and from their deployment for ${
      sorted.filter(d => d.failed && !d.failedAt).length
    }`,
    `lead time over the ${input.commits.length} newest app commits${commitsSince}.`,
  ].join('; ');
}
