/*
 * GitHub's pull-request shapes: `pull-request` (GET, POST and PATCH of one
 * pull request) and `pull-request-simple` (lists).
 */

import { PullRecord, RepoRecord, UserRecord } from '../records';
import { AccountShapes } from './accounts';
import { Links, nodeId } from './links';
import { RepoShapes } from './repos';

/** What the full pull-request shape adds: mergeability and who merged it. */
export interface PullMergeState {
  /** Null while GitHub has not decided (a closed pull request). */
  mergeable: boolean | null;
  /** 'clean', 'dirty' (conflicts), 'draft' or 'unknown'. */
  mergeableState: string;
  mergedBy: UserRecord | null;
}

export function pullShapes(
  { api, web }: Links,
  accounts: Pick<AccountShapes, 'user'>,
  repos: Pick<RepoShapes, 'repo'>,
) {
  /**
   * A pull request: with `full`, the pull-request shape of GET/POST/PATCH
   * (with mergeability and the counters), otherwise the pull-request-simple
   * shape of lists.
   */
  function pull(
    r: RepoRecord,
    owner: UserRecord,
    author: UserRecord,
    p: PullRecord,
    shas: { head: string; base: string },
    full?: PullMergeState,
  ) {
    const base = `${api()}/repos/${r.owner}/${r.name}`;
    const html = `${web()}/${r.owner}/${r.name}/pull/${p.number}`;
    const repo = repos.repo(r, owner);
    const side = (ref: string, sha: string) => ({
      label: `${r.owner}:${ref}`,
      ref,
      sha,
      repo,
      user: accounts.user(owner),
    });
    const link = (href: string) => ({ href });
    const simple = {
      url: `${base}/pulls/${p.number}`,
      id: p.id,
      node_id: nodeId('PullRequest', p.id),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${base}/issues/${p.number}`,
      commits_url: `${base}/pulls/${p.number}/commits`,
      review_comments_url: `${base}/pulls/${p.number}/comments`,
      review_comment_url: `${base}/pulls/comments{/number}`,
      comments_url: `${base}/issues/${p.number}/comments`,
      statuses_url: `${base}/statuses/${shas.head}`,
      number: p.number,
      state: p.state,
      locked: false,
      title: p.title,
      user: accounts.user(author),
      body: p.body,
      labels: [],
      milestone: null,
      active_lock_reason: null,
      created_at: p.createdAt,
      updated_at: p.updatedAt,
      closed_at: p.closedAt ?? null,
      merged_at: p.merged?.at ?? null,
      merge_commit_sha: p.merged?.sha ?? null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: side(p.head, shas.head),
      base: side(p.base, shas.base),
      _links: {
        self: link(`${base}/pulls/${p.number}`),
        html: link(html),
        issue: link(`${base}/issues/${p.number}`),
        comments: link(`${base}/issues/${p.number}/comments`),
        review_comments: link(`${base}/pulls/${p.number}/comments`),
        review_comment: link(`${base}/pulls/comments{/number}`),
        commits: link(`${base}/pulls/${p.number}/commits`),
        statuses: link(`${base}/statuses/${shas.head}`),
      },
      author_association: 'MEMBER',
      auto_merge: null,
      draft: p.draft,
    };
    if (!full) return simple;
    return {
      ...simple,
      merged: !!p.merged,
      mergeable: full.mergeable,
      rebaseable: null,
      mergeable_state: full.mergeableState,
      merged_by: full.mergedBy && accounts.user(full.mergedBy),
      comments: 0,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: 0,
      deletions: 0,
      changed_files: 0,
    };
  }

  return { pull };
}
