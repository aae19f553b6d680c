/*
 * Stands in for GitHub's Git Data API: refs (get, create, fast-forward or
 * forced update, compare-and-swap so racing writers cannot both win), and
 * git commits, trees and blobs, written with git's plumbing into the bare
 * repository. Ref changes are pushes: webhooks and listeners hear them.
 */

import { TreeChange } from '../../git';
import { HttpError, Router, sendJson } from '../../http';
import { RepoRecord } from '../records';
import { ZERO_SHA } from '../smartHttp';
import { API, repoOr404, RouteContext } from './context';

/** GitHub's limit on entries in one GET git/trees answer (beyond it: truncated). */
const TREE_LIMIT = 100_000;

/** The modes a tree entry of each type may have. */
const TREE_MODES: Record<string, string[]> = {
  blob: ['100644', '100755', '120000'],
  tree: ['040000'],
  commit: ['160000'],
};

export function registerGitDataRoutes(router: Router, g: RouteContext) {
  const { store, repos, shapes } = g;

  /** Whether `sha` is a SHA naming an object of `type` in the repository. */
  const isObject = async (r: RepoRecord, sha: unknown, type: string) =>
    typeof sha === 'string' &&
    (await repos.objectType(r.owner, r.name, sha)) === type;

  // Refs
  router.add(
    'GET',
    `${API}/repos/:owner/:repo/git/ref/*ref`,
    'git/get-ref',
    async ctx => {
      const r = repoOr404(store, ctx);
      const full = `refs/${ctx.params.ref}`;
      const sha = (await repos.refs(r.owner, r.name))[full];
      if (!sha) throw new HttpError(404, 'Not Found');
      sendJson(ctx.res, 200, shapes.ref(r, full, sha));
    },
  );
  router.add(
    'POST',
    `${API}/repos/:owner/:repo/git/refs`,
    'git/create-ref',
    async ctx => {
      const r = repoOr404(store, ctx);
      const { ref, sha } = await ctx.json();
      if (
        typeof ref !== 'string' ||
        !/^refs\/(heads|tags)\/[A-Za-z0-9._/-]+$/.test(ref) ||
        ref.includes('..')
      ) {
        throw new HttpError(422, 'Reference name is invalid');
      }
      const refs = await repos.refs(r.owner, r.name);
      if (refs[ref]) throw new HttpError(422, 'Reference already exists');
      if (!(await repos.commitIn(r.owner, r.name, sha)))
        throw new HttpError(422, 'Object does not exist');
      // Created only if still absent: a racing creator gets a 422.
      if (!(await repos.compareAndSwapRef(r.owner, r.name, ref, sha, '')))
        throw new HttpError(422, 'Reference already exists');
      await g.notifyPush(r.owner, r.name, [
        { ref, before: ZERO_SHA, after: sha },
      ]);
      sendJson(ctx.res, 201, shapes.ref(r, ref, sha));
    },
  );
  router.add(
    'PATCH',
    `${API}/repos/:owner/:repo/git/refs/*ref`,
    'git/update-ref',
    async ctx => {
      const r = repoOr404(store, ctx);
      const full = `refs/${ctx.params.ref}`;
      const { sha, force } = await ctx.json();
      const before = (await repos.refs(r.owner, r.name))[full];
      if (!before) throw new HttpError(422, 'Reference does not exist');
      if (!(await isObject(r, sha, 'commit')))
        throw new HttpError(422, 'Object does not exist');
      if (!force && !(await repos.isAncestor(r.owner, r.name, before, sha)))
        throw new HttpError(422, 'Update is not a fast forward');
      // Compare-and-swap on the head read above: when another writer
      // moved the branch in between, this update is no fast-forward of it.
      if (!(await repos.compareAndSwapRef(r.owner, r.name, full, sha, before)))
        throw new HttpError(422, 'Update is not a fast forward');
      await g.notifyPush(r.owner, r.name, [{ ref: full, before, after: sha }]);
      sendJson(ctx.res, 200, shapes.ref(r, full, sha));
    },
  );

  // Commits
  router.add(
    'GET',
    `${API}/repos/:owner/:repo/git/commits/:sha`,
    'git/get-commit',
    async ctx => {
      const r = repoOr404(store, ctx);
      const c = await repos.readCommit(r.owner, r.name, ctx.params.sha);
      if (!c) throw new HttpError(404, 'Not Found');
      sendJson(ctx.res, 200, shapes.gitCommit(r, c));
    },
  );
  router.add(
    'POST',
    `${API}/repos/:owner/:repo/git/commits`,
    'git/create-commit',
    async ctx => {
      const r = repoOr404(store, ctx);
      const b = await ctx.json();
      if (typeof b.message !== 'string' || typeof b.tree !== 'string')
        throw new HttpError(
          422,
          'Invalid request: message and tree are required',
        );
      const parents: unknown[] = b.parents ?? [];
      if (!Array.isArray(parents))
        throw new HttpError(422, 'Invalid request: parents must be an array');
      if (!(await isObject(r, b.tree, 'tree')))
        throw new HttpError(422, `Tree SHA does not exist`);
      for (const p of parents) {
        if (!(await isObject(r, p, 'commit')))
          throw new HttpError(
            422,
            'Parent SHA does not exist or is not a commit object',
          );
      }
      const person = (x: any) =>
        x && typeof x.name === 'string' && typeof x.email === 'string'
          ? {
              name: x.name,
              email: x.email,
              ...(typeof x.date === 'string' ? { date: x.date } : {}),
            }
          : undefined;
      const sha = await repos.writeCommit(r.owner, r.name, {
        tree: b.tree,
        parents: parents as string[],
        message: b.message,
        author: person(b.author),
        committer: person(b.committer),
      });
      const c = (await repos.readCommit(r.owner, r.name, sha))!;
      sendJson(ctx.res, 201, shapes.gitCommit(r, c));
    },
  );

  // Trees
  router.add(
    'GET',
    `${API}/repos/:owner/:repo/git/trees/:sha`,
    'git/get-tree',
    async ctx => {
      const r = repoOr404(store, ctx);
      // Like GitHub: a tree SHA, or anything naming one (commit, branch, tag).
      const tree = await repos.resolveTree(r.owner, r.name, ctx.params.sha);
      if (!tree) throw new HttpError(404, 'Not Found');
      // GitHub recurses for any value of `recursive`.
      const recursive = ctx.url.searchParams.has('recursive');
      const entries = await repos.listTree(r.owner, r.name, tree, recursive);
      const truncated = entries.length > TREE_LIMIT;
      sendJson(
        ctx.res,
        200,
        shapes.gitTree(r, tree, entries.slice(0, TREE_LIMIT), truncated),
      );
    },
  );
  router.add(
    'POST',
    `${API}/repos/:owner/:repo/git/trees`,
    'git/create-tree',
    async ctx => {
      const r = repoOr404(store, ctx);
      const b = await ctx.json();
      if (!Array.isArray(b.tree))
        throw new HttpError(422, 'Invalid request: tree is required');
      let base: string | undefined;
      if (b.base_tree !== undefined && b.base_tree !== null) {
        if (!(await isObject(r, b.base_tree, 'tree')))
          throw new HttpError(422, 'base_tree is not a valid tree oid');
        base = b.base_tree;
      }
      const changes = new Map<string, TreeChange>();
      for (const e of b.tree as any[]) {
        const p = String(e?.path ?? '');
        if (
          !p ||
          p
            .split('/')
            .some(s => s === '' || s === '.' || s === '..' || s === '.git')
        )
          throw new HttpError(422, `tree.path '${p}' is invalid`);
        const type = e.type ?? 'blob';
        if (!TREE_MODES[type]?.includes(e.mode))
          throw new HttpError(
            422,
            `tree.mode '${e.mode}' is invalid for a ${type}`,
          );
        if (e.content !== undefined && e.sha !== undefined)
          throw new HttpError(
            422,
            'Invalid request: only one of content and sha is allowed',
          );
        if (e.sha === null) {
          changes.set(p, null);
          continue;
        }
        let sha: string;
        if (typeof e.content === 'string') {
          if (type !== 'blob')
            throw new HttpError(422, 'tree.content is only for blobs');
          sha = await repos.writeBlob(
            r.owner,
            r.name,
            Buffer.from(e.content, 'utf8'),
          );
        } else if (typeof e.sha === 'string') {
          // Submodule entries name commits of another repository.
          if (type !== 'commit' && !(await isObject(r, e.sha, type)))
            throw new HttpError(
              422,
              `tree.sha ${e.sha} is not a valid ${type}`,
            );
          sha = e.sha;
        } else {
          throw new HttpError(
            422,
            'Invalid request: each tree entry needs sha or content',
          );
        }
        changes.set(p, { mode: e.mode, type, sha });
      }
      const tree = await repos.writeTree(r.owner, r.name, base, changes);
      sendJson(
        ctx.res,
        201,
        shapes.gitTree(r, tree, await repos.listTree(r.owner, r.name, tree)),
      );
    },
  );

  // Blobs
  router.add(
    'POST',
    `${API}/repos/:owner/:repo/git/blobs`,
    'git/create-blob',
    async ctx => {
      const r = repoOr404(store, ctx);
      const b = await ctx.json();
      const encoding = b.encoding ?? 'utf-8';
      if (typeof b.content !== 'string')
        throw new HttpError(422, 'Invalid request: content is required');
      if (encoding !== 'utf-8' && encoding !== 'utf8' && encoding !== 'base64')
        throw new HttpError(
          422,
          `encoding '${encoding}' is invalid: use utf-8 or base64`,
        );
      const sha = await repos.writeBlob(
        r.owner,
        r.name,
        Buffer.from(b.content, encoding === 'base64' ? 'base64' : 'utf8'),
      );
      sendJson(ctx.res, 201, shapes.shortBlob(r, sha));
    },
  );
  router.add(
    'GET',
    `${API}/repos/:owner/:repo/git/blobs/:sha`,
    'git/get-blob',
    async ctx => {
      const r = repoOr404(store, ctx);
      const content = await repos.readBlob(r.owner, r.name, ctx.params.sha);
      if (!content) throw new HttpError(404, 'Not Found');
      sendJson(ctx.res, 200, shapes.blob(r, ctx.params.sha, content));
    },
  );
}
