/*
 * Stands in for GitHub's repositories API: creating (in an org or for the
 * authenticated user; `auto_init` makes GitHub's README commit), getting,
 * updating (description, delete_branch_on_merge) and deleting a repository, its topics, its
 * collaborators, and a team's permission on it.
 */

import { Ctx, HttpError, Router, sendJson } from '../../http';
import { API, orgOr404, perPageOf, repoOr404, RouteContext } from './context';

export function registerRepoRoutes(router: Router, g: RouteContext) {
  const { store, shapes } = g;

  /** POST .../repos: creates `owner`'s repository from the request body. */
  const create = async (ctx: Ctx, owner: string) => {
    const b = await ctx.json();
    if (typeof b.name !== 'string')
      throw new HttpError(422, 'Invalid request: name is required');
    const r = await store.createRepo(owner, b.name, {
      description: b.description ?? null,
      homepage: b.homepage ?? null,
      private: b.private,
      visibility: b.visibility,
      deleteBranchOnMerge: b.delete_branch_on_merge,
      allowMergeCommit: b.allow_merge_commit,
      allowSquashMerge: b.allow_squash_merge,
      allowRebaseMerge: b.allow_rebase_merge,
    });
    if (b.auto_init === true) {
      // GitHub's own first commit: a README on the default branch.
      await store.repos.commitFiles(
        owner,
        r.name,
        r.defaultBranch,
        {
          'README.md': `# ${r.name}${
            r.description ? `\n\n${r.description}` : ''
          }\n`,
        },
        'Initial commit',
      );
    }
    sendJson(ctx.res, 201, shapes.repo(r, store.ownerOf(r)));
  };

  router.add(
    'POST',
    `${API}/orgs/:org/repos`,
    'repos/create-in-org',
    async ctx => {
      await create(ctx, orgOr404(store, ctx).login);
    },
  );
  // The organization's repositories, by name, a page at a time (with
  // GitHub's Link header to the next page).
  router.add('GET', `${API}/orgs/:org/repos`, 'repos/list-for-org', ctx => {
    const org = orgOr404(store, ctx);
    const q = ctx.url.searchParams;
    const perPage = perPageOf(q);
    const page = Math.max(1, Number(q.get('page')) || 1);
    const repos = Object.values(store.state.data.repos)
      .filter(r => r.owner.toLowerCase() === org.login.toLowerCase())
      .sort((a, b) => a.name.localeCompare(b.name));
    const headers: Record<string, string> = {};
    if (page * perPage < repos.length) {
      const next = new URL(
        ctx.req.url ?? '/',
        `http://${ctx.req.headers.host}`,
      );
      next.searchParams.set('page', String(page + 1));
      next.searchParams.set('per_page', String(perPage));
      headers.link = `<${next.href}>; rel="next"`;
    }
    sendJson(
      ctx.res,
      200,
      repos
        .slice((page - 1) * perPage, page * perPage)
        .map(r => shapes.repo(r, store.ownerOf(r))),
      headers,
    );
  });
  router.add(
    'POST',
    `${API}/user/repos`,
    'repos/create-for-authenticated-user',
    ctx => create(ctx, g.login(ctx)),
  );
  router.add('GET', `${API}/repos/:owner/:repo`, 'repos/get', ctx => {
    const r = repoOr404(store, ctx);
    sendJson(ctx.res, 200, shapes.repo(r, store.ownerOf(r)));
  });
  router.add(
    'PATCH',
    `${API}/repos/:owner/:repo`,
    'repos/update',
    async ctx => {
      const r = repoOr404(store, ctx);
      const b = await ctx.json();
      store.state.update(() => {
        if (typeof b.description === 'string' || b.description === null)
          r.description = b.description;
        if (typeof b.delete_branch_on_merge === 'boolean')
          r.deleteBranchOnMerge = b.delete_branch_on_merge;
      });
      sendJson(ctx.res, 200, shapes.repo(r, store.ownerOf(r)));
    },
  );
  router.add('DELETE', `${API}/repos/:owner/:repo`, 'repos/delete', ctx => {
    store.deleteRepo(repoOr404(store, ctx));
    ctx.res.writeHead(204).end();
  });
  router.add(
    'PUT',
    `${API}/repos/:owner/:repo/topics`,
    'repos/replace-all-topics',
    async ctx => {
      const r = repoOr404(store, ctx);
      const { names } = await ctx.json();
      if (!Array.isArray(names))
        throw new HttpError(422, 'Invalid request: names is required');
      store.state.update(() => {
        r.topics = names.map(String);
      });
      sendJson(ctx.res, 200, { names: r.topics });
    },
  );
  router.add(
    'PUT',
    `${API}/repos/:owner/:repo/collaborators/:username`,
    'repos/add-collaborator',
    async ctx => {
      const r = repoOr404(store, ctx);
      const { permission } = await ctx.json();
      store.ensureUser(ctx.params.username);
      store.state.update(() => {
        r.collaborators[ctx.params.username] = permission ?? 'push';
      });
      ctx.res.writeHead(204).end();
    },
  );
  router.add(
    'GET',
    `${API}/repos/:owner/:repo/collaborators`,
    'repos/list-collaborators',
    ctx => {
      const r = repoOr404(store, ctx);
      sendJson(
        ctx.res,
        200,
        Object.entries(r.collaborators).map(([login, role]) => ({
          ...shapes.user(store.ensureUser(login)),
          role_name: role,
        })),
      );
    },
  );
  router.add(
    'PUT',
    `${API}/orgs/:org/teams/:team/repos/:owner/:repo`,
    'teams/add-or-update-repo-permissions-in-org',
    async ctx => {
      const r = repoOr404(store, ctx);
      const { permission } = await ctx.json();
      store.state.update(() => {
        r.teams[ctx.params.team] = permission ?? 'push';
      });
      ctx.res.writeHead(204).end();
    },
  );
}
