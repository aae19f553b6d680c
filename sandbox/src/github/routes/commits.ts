/*
 * Stands in for GitHub's repository commits API: the history of a branch or
 * SHA (filtered by path, since, until, per_page; ETags answered 304), and
 * one commit.
 */

import { HttpError, Router, sendJson } from '../../http';
import {
  API,
  commitAt,
  etagOf,
  notModified,
  perPageOf,
  repoOr404,
  RouteContext,
} from './context';

export function registerCommitRoutes(router: Router, g: RouteContext) {
  const { store, repos, shapes } = g;

  router.add(
    'GET',
    `${API}/repos/:owner/:repo/commits`,
    'repos/list-commits',
    async ctx => {
      const r = repoOr404(store, ctx);
      const q = ctx.url.searchParams;
      const ref = q.get('sha') || r.defaultBranch;
      const date = (name: string) => {
        const v = q.get(name);
        if (!v) return undefined;
        const d = new Date(v);
        if (Number.isNaN(d.getTime()))
          throw new HttpError(400, `Invalid ${name}: '${v}' is not a date`);
        return d;
      };
      const commits = await repos.log(r.owner, r.name, ref, perPageOf(q), {
        path: q.get('path') || undefined,
        since: date('since'),
        until: date('until'),
      });
      // The listed SHAs decide the answer (commits never change), so the
      // ETag is taken over them.
      const etag = etagOf(commits.map(c => c.sha));
      if (notModified(ctx, etag)) return;
      const body = commits.map(c => shapes.commit(r, c));
      sendJson(ctx.res, 200, body, { etag });
    },
  );
  router.add(
    'GET',
    `${API}/repos/:owner/:repo/commits/:ref`,
    'repos/get-commit',
    async ctx => {
      const r = repoOr404(store, ctx);
      const c = await commitAt(repos, r, ctx.params.ref);
      if (!c)
        throw new HttpError(422, `No commit found for SHA: ${ctx.params.ref}`);
      sendJson(ctx.res, 200, {
        ...shapes.commit(r, c),
        files: [],
        stats: { additions: 0, deletions: 0, total: 0 },
      });
    },
  );
}
