/*
 * Stands in for GitHub's branches API: a branch with its head commit, and
 * branch protection (stored as sent, answered in GitHub's shape; the
 * sandbox does not enforce it).
 */

import { HttpError, Router, sendJson } from '../../http';
import { API, commitAt, repoOr404, RouteContext } from './context';

export function registerBranchRoutes(router: Router, g: RouteContext) {
  const { store, repos, shapes } = g;

  router.add(
    'GET',
    `${API}/repos/:owner/:repo/branches/:branch`,
    'repos/get-branch',
    async ctx => {
      const r = repoOr404(store, ctx);
      const c = await commitAt(repos, r, ctx.params.branch);
      if (!c) throw new HttpError(404, 'Branch not found');
      sendJson(ctx.res, 200, shapes.branch(r, ctx.params.branch, c));
    },
  );
  router.add(
    'PUT',
    `${API}/repos/:owner/:repo/branches/:branch/protection`,
    'repos/update-branch-protection',
    async ctx => {
      const r = repoOr404(store, ctx);
      if (!(await repos.resolveIn(r.owner, r.name, ctx.params.branch))) {
        throw new HttpError(404, 'Branch not found');
      }
      const body = await ctx.json();
      store.state.update(() => {
        r.protection[ctx.params.branch] = body;
      });
      sendJson(ctx.res, 200, shapes.protection(r, ctx.params.branch));
    },
  );
  router.add(
    'GET',
    `${API}/repos/:owner/:repo/branches/:branch/protection`,
    'repos/get-branch-protection',
    ctx => {
      const r = repoOr404(store, ctx);
      if (!(ctx.params.branch in r.protection))
        throw new HttpError(404, 'Branch not protected');
      sendJson(ctx.res, 200, shapes.protection(r, ctx.params.branch));
    },
  );
  router.add(
    'POST',
    `${API}/repos/:owner/:repo/branches/:branch/protection/required_signatures`,
    'repos/create-commit-signature-protection',
    ctx => {
      repoOr404(store, ctx);
      sendJson(ctx.res, 200, { url: ctx.url.href, enabled: true });
    },
  );
}
