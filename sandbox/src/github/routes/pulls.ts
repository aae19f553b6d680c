/*
 * Stands in for GitHub's pull requests API: open, list, get and update
 * (title, body, close and reopen) pull requests between branches of the
 * same repository (no forks), with their mergeability. Merging is in
 * pullMerge.ts.
 */

import { HttpError, Router, sendJson } from '../../http';
import { PullRecord, RepoRecord } from '../records';
import { PullMergeState } from '../shapes';
import { ZERO_SHA } from '../smartHttp';
import { repoKey } from '../store';
import {
  API,
  pullOr404,
  repoOr404,
  RouteContext,
  ValidationFailed,
} from './context';

/** `owner:branch` or `branch` → the branch, when owner is this repository's. */
function headBranch(r: RepoRecord, head: string) {
  const colon = head.indexOf(':');
  if (colon < 0) return head;
  return head.slice(0, colon).toLowerCase() === r.owner.toLowerCase()
    ? head.slice(colon + 1)
    : undefined;
}

export function registerPullRoutes(router: Router, g: RouteContext) {
  const { store, repos, shapes } = g;

  /** The heads of a pull request's branches: now while open, as they were when closed. */
  const shasOf = async (r: RepoRecord, p: PullRecord) => {
    if (p.closedShas) return p.closedShas;
    const refs = await repos.refs(r.owner, r.name);
    return {
      head: refs[`refs/heads/${p.head}`] ?? ZERO_SHA,
      base: refs[`refs/heads/${p.base}`] ?? ZERO_SHA,
    };
  };

  /**
   * Whether an open pull request merges cleanly (see BareRepos.planMerge);
   * GitHub leaves it undecided once closed.
   */
  const mergeState = async (
    r: RepoRecord,
    p: PullRecord,
    shas: { head: string; base: string },
  ): Promise<PullMergeState> => {
    const mergedBy = p.merged ? store.ensureUser(p.merged.by) : null;
    if (p.state !== 'open')
      return { mergeable: null, mergeableState: 'unknown', mergedBy };
    const plan =
      shas.head !== ZERO_SHA && shas.base !== ZERO_SHA
        ? await repos.planMerge(r.owner, r.name, shas.base, shas.head)
        : undefined;
    const mergeable = !!plan && plan.conflicts.length === 0;
    let mergeableState = mergeable ? 'clean' : 'dirty';
    if (p.draft) mergeableState = 'draft';
    return { mergeable, mergeableState, mergedBy };
  };

  /** A pull request in GitHub's shape: `full` (GET/POST/PATCH) or simple (lists). */
  const pullShape = async (r: RepoRecord, p: PullRecord, full: boolean) => {
    const shas = await shasOf(r, p);
    return shapes.pull(
      r,
      store.ownerOf(r),
      store.ensureUser(p.user),
      p,
      shas,
      full ? await mergeState(r, p, shas) : undefined,
    );
  };

  router.add(
    'POST',
    `${API}/repos/:owner/:repo/pulls`,
    'pulls/create',
    async ctx => {
      const r = repoOr404(store, ctx);
      const b = await ctx.json();
      if (
        typeof b.title !== 'string' ||
        typeof b.head !== 'string' ||
        typeof b.base !== 'string'
      )
        throw new HttpError(
          422,
          'Invalid request: title, head and base are required',
        );
      const head = headBranch(r, b.head);
      const refs = await repos.refs(r.owner, r.name);
      const headSha = head && refs[`refs/heads/${head}`];
      const baseSha = refs[`refs/heads/${b.base}`];
      if (!headSha)
        throw new ValidationFailed([
          { resource: 'PullRequest', field: 'head', code: 'invalid' },
        ]);
      if (!baseSha)
        throw new ValidationFailed([
          { resource: 'PullRequest', field: 'base', code: 'invalid' },
        ]);
      if (
        (r.pulls ?? []).some(
          p => p.state === 'open' && p.head === head && p.base === b.base,
        )
      )
        throw new ValidationFailed([
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${r.owner}:${head}.`,
          },
        ]);
      if (await repos.isAncestor(r.owner, r.name, headSha, baseSha))
        throw new ValidationFailed([
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `No commits between ${b.base} and ${head}`,
          },
        ]);
      const now = new Date().toISOString();
      const pull = store.state.update(s => {
        const rec = s.repos[repoKey(r.owner, r.name)];
        rec.pulls ??= [];
        const p: PullRecord = {
          id: s.nextId++,
          number: rec.pulls.length + 1,
          title: b.title,
          body: typeof b.body === 'string' ? b.body : null,
          head: head!,
          base: b.base,
          state: 'open',
          draft: b.draft === true,
          user: g.login(ctx),
          createdAt: now,
          updatedAt: now,
        };
        rec.pulls.push(p);
        return p;
      });
      sendJson(ctx.res, 201, await pullShape(r, pull, true));
    },
  );
  router.add(
    'GET',
    `${API}/repos/:owner/:repo/pulls`,
    'pulls/list',
    async ctx => {
      const r = repoOr404(store, ctx);
      const q = ctx.url.searchParams;
      const state = q.get('state') ?? 'open';
      const head = q.get('head');
      const base = q.get('base');
      const want = head === null ? undefined : headBranch(r, head);
      const perPage = Math.min(100, Number(q.get('per_page') ?? 30));
      const pulls = [...(r.pulls ?? [])]
        .reverse()
        .filter(p => state === 'all' || p.state === state)
        .filter(p => head === null || p.head === want)
        .filter(p => base === null || p.base === base)
        .slice(0, perPage);
      sendJson(
        ctx.res,
        200,
        await Promise.all(pulls.map(p => pullShape(r, p, false))),
      );
    },
  );
  router.add(
    'GET',
    `${API}/repos/:owner/:repo/pulls/:number`,
    'pulls/get',
    async ctx => {
      const r = repoOr404(store, ctx);
      sendJson(ctx.res, 200, await pullShape(r, pullOr404(r, ctx), true));
    },
  );
  router.add(
    'PATCH',
    `${API}/repos/:owner/:repo/pulls/:number`,
    'pulls/update',
    async ctx => {
      const r = repoOr404(store, ctx);
      const p = pullOr404(r, ctx);
      const b = (await ctx.json()) ?? {};
      const invalid = (field: string) =>
        new ValidationFailed([
          { resource: 'PullRequest', field, code: 'invalid' },
        ]);
      if (b.title !== undefined && typeof b.title !== 'string')
        throw invalid('title');
      if (b.body !== undefined && b.body !== null && typeof b.body !== 'string')
        throw invalid('body');
      if (b.state !== undefined && b.state !== 'open' && b.state !== 'closed')
        throw invalid('state');
      const refs = await repos.refs(r.owner, r.name);
      const head = refs[`refs/heads/${p.head}`];
      if (b.state === 'open' && p.state === 'closed') {
        const cannot = (message: string) =>
          new ValidationFailed([
            {
              resource: 'PullRequest',
              field: 'state',
              code: 'custom',
              message,
            },
          ]);
        if (p.merged)
          throw cannot(
            'state cannot be changed. The pull request has already been merged.',
          );
        if (!head)
          throw cannot(
            `state cannot be changed. The ${p.head} branch has been deleted.`,
          );
        if (
          (r.pulls ?? []).some(
            x => x.state === 'open' && x.head === p.head && x.base === p.base,
          )
        )
          throw cannot(
            `A pull request already exists for ${r.owner}:${p.head}.`,
          );
      }
      const now = new Date().toISOString();
      store.state.update(() => {
        if (typeof b.title === 'string') p.title = b.title;
        if (b.body !== undefined) p.body = b.body;
        if (b.state === 'closed' && p.state === 'open') {
          p.state = 'closed';
          p.closedAt = now;
          p.closedShas = {
            head: head ?? ZERO_SHA,
            base: refs[`refs/heads/${p.base}`] ?? ZERO_SHA,
          };
        } else if (b.state === 'open' && p.state === 'closed') {
          p.state = 'open';
          delete p.closedAt;
          delete p.closedShas;
        }
        p.updatedAt = now;
      });
      sendJson(ctx.res, 200, await pullShape(r, p, true));
    },
  );
}
