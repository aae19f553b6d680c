/*
 * What the GitHub stand-in's REST route modules share: the context each
 * registration function gets, GitHub's error and paging conventions, and
 * conditional requests (ETags answered 304).
 */

import crypto from 'node:crypto';
import { BareRepos, CommitInfo } from '../../git';
import { Ctx, HttpError } from '../../http';
import { PullRecord, RepoRecord, UserRecord } from '../records';
import { Shapes } from '../shapes';
import { RefUpdate } from '../smartHttp';
import { GitHubStore } from '../store';

/** Where GitHub Enterprise serves its REST API. */
export const API = '/api/v3';

/** What a route module works with. */
export interface RouteContext {
  readonly store: GitHubStore;
  readonly repos: BareRepos;
  readonly shapes: Shapes;
  /** The login the request's token acts as. */
  login(ctx: Ctx): string;
  /** Reports a push made through the API to webhooks and in-process listeners. */
  notifyPush(owner: string, repo: string, updates: RefUpdate[]): Promise<void>;
}

/** GitHub's 422 "Validation Failed" with its `errors` list. */
export class ValidationFailed extends HttpError {
  constructor(
    readonly errors: Array<{
      resource: string;
      code: string;
      field?: string;
      message?: string;
    }>,
  ) {
    super(422, 'Validation Failed');
  }
}

/** The `:owner/:repo` of the path; 404 when there is no such repository. */
export function repoOr404(store: GitHubStore, ctx: Ctx): RepoRecord {
  const r = store.getRepo(ctx.params.owner, ctx.params.repo);
  if (!r) throw new HttpError(404, 'Not Found');
  return r;
}

/** The `:number` pull request of a repository; 404 when there is none. */
export function pullOr404(r: RepoRecord, ctx: Ctx): PullRecord {
  const p = (r.pulls ?? []).find(x => String(x.number) === ctx.params.number);
  if (!p) throw new HttpError(404, 'Not Found');
  return p;
}

/** The `:org` of the path; 404 for an unknown account or a user, as GitHub. */
export function orgOr404(store: GitHubStore, ctx: Ctx): UserRecord {
  const org = store.getOrg(ctx.params.org);
  if (!org) throw new HttpError(404, 'Not Found');
  return org;
}

/** The commit a branch, tag or SHA names in the repository, if any. */
export async function commitAt(
  repos: BareRepos,
  r: RepoRecord,
  ref: string,
): Promise<CommitInfo | undefined> {
  const sha = await repos.resolveIn(r.owner, r.name, ref);
  return sha ? repos.commitIn(r.owner, r.name, sha) : undefined;
}

/** GitHub's `per_page`: default 30, at most 100. */
export function perPageOf(q: URLSearchParams): number {
  const n = Number(q.get('per_page') ?? 30);
  return Number.isInteger(n) && n >= 1 ? Math.min(100, n) : 30;
}

/** A strong ETag over a value (the records an answer is made from). */
export function etagOf(value: unknown): string {
  return `"${crypto
    .createHash('sha1')
    .update(JSON.stringify(value))
    .digest('hex')}"`;
}

/**
 * Answers 304 (with the ETag, no body) when the request's If-None-Match
 * names `etag` (weak or strong, in a list, or `*`); true when it did.
 */
export function notModified(ctx: Ctx, etag: string): boolean {
  const header = ctx.req.headers['if-none-match'];
  if (!header) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  const match = header
    .split(',')
    .some(t => t.trim() === '*' || bare(t) === bare(etag));
  if (match) ctx.res.writeHead(304, { etag }).end();
  return match;
}
