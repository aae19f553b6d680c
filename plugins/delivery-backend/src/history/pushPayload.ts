import type { PushedCommits } from '../services/DeliveryStatusService';

/** What the delivery plugin reads of a GitHub push webhook. */
export interface PushEvent {
  /** `owner/repo`. */
  repository: string;
  /** The commits put on the repository's default branch; none for another branch, a tag or a deletion. */
  pushed: PushedCommits;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null;

/**
 * Reads GitHub's `push` payload (repository.full_name and default_branch,
 * ref, deleted, commits[].id and .timestamp); undefined when it names no
 * repository. Commits with an id or a time that is not one are left out.
 */
export function readPushEvent(payload: unknown): PushEvent | undefined {
  if (!isRecord(payload) || !isRecord(payload.repository)) return undefined;
  const repository = payload.repository.full_name;
  if (typeof repository !== 'string') return undefined;
  const branch = payload.repository.default_branch;
  const onDefault =
    typeof branch === 'string' &&
    payload.ref === `refs/heads/${branch}` &&
    payload.deleted !== true;
  const commits =
    onDefault && Array.isArray(payload.commits) ? payload.commits : [];
  return {
    repository,
    pushed: {
      commits: commits.flatMap(c =>
        isRecord(c) &&
        typeof c.id === 'string' &&
        /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(c.id) &&
        typeof c.timestamp === 'string' &&
        Number.isFinite(Date.parse(c.timestamp))
          ? [{ sha: c.id, committedAt: new Date(c.timestamp).toISOString() }]
          : [],
      ),
    },
  };
}
