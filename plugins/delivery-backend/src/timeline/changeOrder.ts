/*
 * Where helm-charts commits sit relative to each other, read only from the
 * gitops section's list of a chart's changes (newest first). Nothing outside
 * that list is guessed at: a revision the list does not hold is "unknown".
 */

import type { ChartChange } from '@internal/backstage-plugin-delivery-common';

/** The order of a chart's helm-charts changes, newest first. */
export class ChangeOrder {
  readonly #index = new Map<string, number>();

  constructor(changes: ChartChange[]) {
    changes.forEach((change, i) => {
      if (!this.#index.has(change.sha)) {
        this.#index.set(change.sha, i);
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
