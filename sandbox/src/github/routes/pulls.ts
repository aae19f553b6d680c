/*
 * Stands in for GitHub's pull requests API: open, list and get pull
 * requests between branches of the same repository (no forks; the sandbox
 * neither merges nor closes them).
 */

import { HttpError, Router, sendJson } from '../../http';
import { PullRecord, RepoRecord } from '../records';
import { ZERO_SHA } from '../smartHttp';
import { repoKey } from '../store';
import { API, repoOr404, RouteContext, ValidationFailed } from './context';

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

  /** A pull request in GitHub's shape, with its branches' current heads. */
  const pullShape = async (r: RepoRecord, p: PullRecord, full: boolean) => {
    const refs = await repos.refs(r.owner, r.name);
    return shapes.pull(
      r,
      store.ownerOf(r),
      store.ensureUser(p.user),
      p,
      {
        head: refs[`refs/heads/${p.head}`] ?? ZERO_SHA,
        base: refs[`refs/heads/${p.base}`] ?? ZERO_SHA,
      },
      full,
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
      const p = (r.pulls ?? []).find(
        x => String(x.number) === ctx.params.number,
      );
      if (!p) throw new HttpError(404, 'Not Found');
      sendJson(ctx.res, 200, await pullShape(r, p, true));
    },
  );
}
