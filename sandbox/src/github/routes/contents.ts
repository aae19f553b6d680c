/*
 * Stands in for GitHub's repository contents API: reading a file (as JSON,
 * or raw with its blob SHA as ETag, as Backstage's URL reader asks), and
 * creating or updating one as a commit on a branch (a push).
 */

import { HttpError, Router, sendJson } from '../../http';
import { gitBlobSha } from '../shapes';
import { ZERO_SHA } from '../smartHttp';
import { API, notModified, repoOr404, RouteContext } from './context';

export function registerContentRoutes(router: Router, g: RouteContext) {
  const { store, repos, shapes } = g;

  router.add(
    'GET',
    `${API}/repos/:owner/:repo/contents/*path`,
    'repos/get-content',
    async ctx => {
      const r = repoOr404(store, ctx);
      const ref = ctx.url.searchParams.get('ref') ?? r.defaultBranch;
      const sha = await repos.resolveIn(r.owner, r.name, ref);
      const text =
        sha && (await repos.readFileIn(r.owner, r.name, sha, ctx.params.path));
      if (!sha || text === undefined) throw new HttpError(404, 'Not Found');
      // `Accept: application/vnd.github.raw` (as Backstage's URL reader
      // asks) gets the file itself, with the blob SHA as ETag.
      if (
        /vnd\.github(\.v3)?\.raw/.test(String(ctx.req.headers.accept ?? ''))
      ) {
        const body = Buffer.from(text);
        const etag = `"${gitBlobSha(body)}"`;
        if (notModified(ctx, etag)) return;
        ctx.res.writeHead(200, {
          'content-type': 'application/vnd.github.raw; charset=utf-8',
          'content-length': body.length,
          etag,
        });
        ctx.res.end(body);
        return;
      }
      sendJson(
        ctx.res,
        200,
        shapes.content(r, ctx.params.path, Buffer.from(text), ref),
      );
    },
  );
  router.add(
    'PUT',
    `${API}/repos/:owner/:repo/contents/*path`,
    'repos/create-or-update-file-contents',
    async ctx => {
      const r = repoOr404(store, ctx);
      const b = await ctx.json();
      if (typeof b.message !== 'string' || typeof b.content !== 'string') {
        throw new HttpError(
          422,
          'Invalid request: message and content are required',
        );
      }
      const branch = b.branch ?? r.defaultBranch;
      const head = await repos.resolveIn(r.owner, r.name, branch);
      const current = head
        ? await repos.readFileIn(r.owner, r.name, head, ctx.params.path)
        : undefined;
      if (current !== undefined && !b.sha) {
        throw new HttpError(422, `Invalid request: "sha" wasn't supplied.`);
      }
      const content = Buffer.from(b.content, 'base64');
      const { sha, parent } = await repos
        .commitFiles(
          r.owner,
          r.name,
          branch,
          { [ctx.params.path]: content },
          b.message,
          b.author,
        )
        .catch(() => {
          throw new HttpError(
            409,
            `${ctx.params.path} does not match the branch head`,
          );
        });
      await g.notifyPush(r.owner, r.name, [
        {
          ref: `refs/heads/${branch}`,
          before: parent ?? ZERO_SHA,
          after: sha,
        },
      ]);
      const c = (await repos.commitIn(r.owner, r.name, sha))!;
      sendJson(ctx.res, current !== undefined ? 200 : 201, {
        content: shapes.content(r, ctx.params.path, content, branch),
        commit: shapes.commit(r, c).commit,
      });
    },
  );
}
