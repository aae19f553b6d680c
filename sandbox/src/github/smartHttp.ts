/*
 * Git smart HTTP over the bare repositories, served by git's own CGI
 * (`git http-backend`), so clone, fetch and push behave exactly as they do
 * against a real git host. After a push, the refs are compared with their
 * state before it and each change is reported once.
 */

import { spawn } from 'node:child_process';
import { Ctx, HttpError } from '../http';
import { BareRepos } from '../git';

/** One ref a push changed; `before`/`after` are all-zero for create/delete. */
export interface RefUpdate {
  ref: string;
  before: string;
  after: string;
}

export const ZERO_SHA = '0000000000000000000000000000000000000000';

/** Serves one smart HTTP request (`/<owner>/<repo>.git/...`). */
export async function serveGit(
  ctx: Ctx,
  repos: BareRepos,
  owner: string,
  repo: string,
  rest: string,
  onPush: (updates: RefUpdate[]) => Promise<void>,
) {
  if (!repos.exists(owner, repo))
    throw new HttpError(404, 'Repository not found');
  const isPush =
    rest === 'git-receive-pack' ||
    (rest === 'info/refs' &&
      ctx.url.searchParams.get('service') === 'git-receive-pack');
  const before =
    rest === 'git-receive-pack' ? await repos.refs(owner, repo) : undefined;

  await new Promise<void>((resolve, reject) => {
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GIT_PROJECT_ROOT: repos.root,
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_CONFIG_NOSYSTEM: '1',
        // http-backend only accepts pushes from an authenticated user.
        REMOTE_USER: isPush ? 'sandbox' : '',
        REQUEST_METHOD: ctx.req.method ?? 'GET',
        PATH_INFO: `/${owner}/${repo}.git/${rest}`,
        QUERY_STRING: ctx.url.search.replace(/^\?/, ''),
        CONTENT_TYPE: ctx.req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: String(
          ctx.req.headers['content-encoding'] ?? '',
        ),
        GIT_PROTOCOL: String(ctx.req.headers['git-protocol'] ?? ''),
      },
    });
    ctx.req.pipe(cgi.stdin);
    cgi.on('error', reject);

    // Parse the CGI headers, then stream the body.
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        ctx.res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head
        .subarray(0, end)
        .toString('latin1')
        .split('\r\n')) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') status = parseInt(value, 10);
        else headers[name] = value;
      }
      ctx.res.writeHead(status, headers);
      ctx.res.write(head.subarray(end + 4));
    });
    cgi.on('close', code => {
      if (!headersDone && !ctx.res.headersSent) ctx.res.writeHead(500);
      if (code !== 0) {
        ctx.res.end();
        reject(new Error(`git http-backend exited with ${code}`));
        return;
      }
      // Report the push before the client sees the end of the response, so
      // whoever pushed can rely on listeners and webhooks having run.
      reportPush()
        .catch(e =>
          process.stderr.write(`[sandbox] push report failed: ${String(e)}\n`),
        )
        .finally(() => {
          ctx.res.end();
          resolve();
        });
    });
  });

  async function reportPush() {
    if (!before) return;
    const after = await repos.refs(owner, repo);
    const updates: RefUpdate[] = [];
    for (const ref of new Set([
      ...Object.keys(before),
      ...Object.keys(after),
    ])) {
      if (before[ref] !== after[ref]) {
        updates.push({
          ref,
          before: before[ref] ?? ZERO_SHA,
          after: after[ref] ?? ZERO_SHA,
        });
      }
    }
    if (updates.length) await onPush(updates);
  }
}
