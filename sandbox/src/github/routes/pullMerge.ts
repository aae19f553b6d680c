/*
 * Stands in for GitHub's pull request merge API: merging (a merge commit or
 * a squash; rebase merges are not emulated) and checking whether a pull
 * request was merged. The merge is made on trees (BareRepos.planMerge):
 * the files the head changed since the merge base go onto the base
 * branch's tree, unless the base changed them too. The base branch then
 * moves like a push does, and is reported as one (webhooks, listeners);
 * with delete_branch_on_merge the head branch is deleted, also reported.
 */

import { HttpError, Router, sendJson } from '../../http';
import { PullRecord, RepoRecord, UserRecord } from '../records';
import { ZERO_SHA } from '../smartHttp';
import { repoKey } from '../store';
import {
  API,
  pullOr404,
  repoOr404,
  RouteContext,
  ValidationFailed,
} from './context';

/** What a merge request asks for (GitHub's request body). */
interface MergeRequest {
  commit_title?: string;
  commit_message?: string;
  sha?: string;
  merge_method: 'merge' | 'squash' | 'rebase';
}

/** GitHub's 405 when a repository's settings forbid a merge method. */
const NOT_ALLOWED: Record<MergeRequest['merge_method'], string> = {
  merge: 'Merge commits are not allowed on this repository.',
  squash: 'Squash merges are not allowed on this repository.',
  rebase: 'Rebase merges are not allowed on this repository.',
};

/** The request body, checked against GitHub's schema (422 otherwise). */
function mergeRequest(b: any): MergeRequest {
  const body = b ?? {};
  for (const field of ['commit_title', 'commit_message', 'sha']) {
    if (body[field] !== undefined && typeof body[field] !== 'string')
      throw new ValidationFailed([
        { resource: 'PullRequest', field, code: 'invalid' },
      ]);
  }
  const method = body.merge_method ?? 'merge';
  if (!['merge', 'squash', 'rebase'].includes(method))
    throw new ValidationFailed([
      { resource: 'PullRequest', field: 'merge_method', code: 'invalid' },
    ]);
  return { ...body, merge_method: method };
}

/** The author and committer of a merge GitHub makes for `user`: their no-reply address, now. */
function mergerOf(user: UserRecord) {
  return {
    name: user.login,
    email: `${user.id}+${user.login}@users.noreply.github.com`,
    date: new Date().toISOString(),
  };
}

export function registerPullMergeRoutes(router: Router, g: RouteContext) {
  const { store, repos } = g;

  /** Merges of one repository run one at a time, so a pull request is merged once. */
  const queues = new Map<string, Promise<unknown>>();
  const serial = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const run = (queues.get(key) ?? Promise.resolve()).then(fn, fn);
    queues.set(
      key,
      run.catch(() => undefined),
    );
    return run;
  };

  /** The commit message GitHub writes by default, unless the request gives a title or message. */
  const messageOf = async (
    r: RepoRecord,
    p: PullRecord,
    req: MergeRequest,
    mergeBase: string,
    head: string,
  ) => {
    let title = `Merge pull request #${p.number} from ${r.owner}/${p.head}`;
    let body = p.title;
    if (req.merge_method === 'squash') {
      title = `${p.title} (#${p.number})`;
      body = (await repos.commitsBetween(r.owner, r.name, mergeBase, head))
        .map(c => `* ${c.message}`)
        .join('\n\n');
    }
    return [req.commit_title ?? title, req.commit_message ?? body]
      .filter(Boolean)
      .join('\n\n');
  };

  /** Merges pull request `p` as `login` asks; the merge commit's SHA. */
  const merge = async (
    r: RepoRecord,
    p: PullRecord,
    req: MergeRequest,
    login: string,
  ): Promise<string> => {
    if (p.state !== 'open')
      throw new HttpError(405, 'Pull Request is not mergeable');
    if (p.draft) throw new HttpError(405, 'Pull Request is still a draft');
    const allowed = {
      merge: r.allowMergeCommit,
      squash: r.allowSquashMerge,
      rebase: r.allowRebaseMerge,
    };
    if (!allowed[req.merge_method])
      throw new HttpError(405, NOT_ALLOWED[req.merge_method]);
    if (req.merge_method === 'rebase')
      throw new ValidationFailed([
        {
          resource: 'PullRequest',
          field: 'merge_method',
          code: 'custom',
          message: 'Rebase merges are not emulated by the sandbox',
        },
      ]);
    const refs = await repos.refs(r.owner, r.name);
    const baseRef = `refs/heads/${p.base}`;
    const head = refs[`refs/heads/${p.head}`];
    const base = refs[baseRef];
    if (!head || !base)
      throw new HttpError(405, 'Pull Request is not mergeable');
    if (req.sha !== undefined && req.sha !== head)
      throw new HttpError(
        409,
        'Head branch was modified. Review and try the merge again.',
      );
    const plan = await repos.planMerge(r.owner, r.name, base, head);
    if (!plan || plan.conflicts.length)
      throw new HttpError(405, 'Pull Request is not mergeable');

    const tree = await repos.writeTree(
      r.owner,
      r.name,
      await repos.resolveTree(r.owner, r.name, base),
      plan.changes,
    );
    const user = store.ensureUser(login);
    const merger = mergerOf(user);
    const sha = await repos.writeCommit(r.owner, r.name, {
      tree,
      parents: req.merge_method === 'squash' ? [base] : [base, head],
      message: await messageOf(r, p, req, plan.mergeBase, head),
      author: merger,
      committer: merger,
    });
    // Like a push: only if the base is still where the merge was made on.
    if (!(await repos.compareAndSwapRef(r.owner, r.name, baseRef, sha, base)))
      throw new HttpError(
        409,
        'Base branch was modified. Review and try the merge again.',
      );
    const now = new Date().toISOString();
    store.state.update(() => {
      p.state = 'closed';
      p.closedAt = now;
      p.updatedAt = now;
      p.closedShas = { head, base };
      p.merged = { at: now, by: user.login, sha };
    });
    await g.notifyPush(r.owner, r.name, [
      { ref: baseRef, before: base, after: sha },
    ]);
    const headRef = `refs/heads/${p.head}`;
    if (
      r.deleteBranchOnMerge &&
      p.head !== r.defaultBranch &&
      (await repos.deleteRef(r.owner, r.name, headRef, head))
    ) {
      await g.notifyPush(r.owner, r.name, [
        { ref: headRef, before: head, after: ZERO_SHA },
      ]);
    }
    return sha;
  };

  router.add(
    'PUT',
    `${API}/repos/:owner/:repo/pulls/:number/merge`,
    'pulls/merge',
    async ctx => {
      const r = repoOr404(store, ctx);
      const p = pullOr404(r, ctx);
      const req = mergeRequest(await ctx.json());
      const sha = await serial(repoKey(r.owner, r.name), () =>
        merge(r, p, req, g.login(ctx)),
      );
      sendJson(ctx.res, 200, {
        sha,
        merged: true,
        message: 'Pull Request successfully merged',
      });
    },
  );
  router.add(
    'GET',
    `${API}/repos/:owner/:repo/pulls/:number/merge`,
    'pulls/check-if-merged',
    ctx => {
      const r = repoOr404(store, ctx);
      if (!pullOr404(r, ctx).merged) throw new HttpError(404, 'Not Found');
      ctx.res.writeHead(204).end();
    },
  );
}
