/*
 * Where helm-charts commits sit relative to each other, read from the
 * gitops section: the branch's newest commits (every chart's) and the
 * chart's own changes, both newest first on one linear, fast-forward-only
 * branch. Nothing else is guessed at: a revision neither list holds is
 * "unknown".
 */

import type {
  ChartChange,
  Deployment,
} from '@internal/backstage-plugin-delivery-common';

/** The order of a chart's helm-charts changes, newest first. */
export class ChangeOrder {
  readonly #index = new Map<string, number>();

  constructor(changes: ChartChange[], branchCommits: string[] = []) {
    branchCommits.forEach((sha, i) => {
      if (!this.#index.has(sha)) this.#index.set(sha, i);
    });
    // The chart's changes the branch list does not reach are older than
    // all of it, in their own order.
    const offset = branchCommits.length;
    changes.forEach((change, i) => {
      if (!this.#index.has(change.sha)) {
        this.#index.set(change.sha, offset + i);
      }
    });
  }

  /** The change's position (0 = newest), or undefined when it is not listed. */
  position(sha: string | undefined): number | undefined {
    return sha === undefined ? undefined : this.#index.get(sha);
  }

  /**
   * Whether helm-charts revision `revision` includes change `sha`: it is that
   * change or a newer one in the list. `undefined` when either is not listed
   * (the revision may be another chart's commit, or one older than the list).
   */
  includes(revision: string | undefined, sha: string): boolean | undefined {
    if (revision === undefined) {
      return undefined;
    }
    if (revision === sha) {
      return true;
    }
    const r = this.position(revision);
    const s = this.position(sha);
    if (r === undefined || s === undefined) {
      return undefined;
    }
    return r < s;
  }
}

/**
 * The Argo CD sync that first deployed change `sha`: the oldest history
 * entry (history is newest first) whose revision includes it — but only
 * when that is provably the first, i.e. its revision is the change itself
 * or the entry before it does not include the change. When the bounded
 * history starts after the change, when it first ran is not known.
 */
export function firstDeployment(
  history: Deployment[],
  sha: string,
  order: ChangeOrder,
): Deployment | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i];
    if (order.includes(entry.revision, sha) !== true) continue;
    const before = history[i + 1];
    const proven =
      entry.revision === sha ||
      (before !== undefined && order.includes(before.revision, sha) === false);
    return proven ? entry : undefined;
  }
  return undefined;
}

/** The tag of an image reference (`registry/repo:tag[@digest]`), if it has one. */
export function tagOfImage(image: string): string | undefined {
  const ref = image.split('@')[0];
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : undefined;
}

/** The first seven characters of a commit SHA. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/** Milliseconds from `from` to `to`, or undefined when either is unknown or unparseable. */
export function msBetween(
  from: string | undefined,
  to: string | undefined,
): number | undefined {
  if (from === undefined || to === undefined) {
    return undefined;
  }
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? ms : undefined;
}
