/*
 * GitHub's Git Data and Pulls APIs as the helm-charts writer uses them:
 * the Octokit client, how a failed call is named, classified and redacted,
 * and the pull-request mode's branch and pull request (both re-run safe).
 */

import {
  AuthenticationError,
  ConflictError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { retry } from '@octokit/plugin-retry';
import { Octokit } from '@octokit/rest';

// @octokit/rest carries its own copy of @octokit/core, whose types differ
// from the one @octokit/plugin-retry is typed against; at runtime they agree.
const GitDataOctokit = Octokit.plugin(
  retry as unknown as Parameters<typeof Octokit.plugin>[0],
);

/** The Octokit client the helm-charts writer uses (retry adds no methods). */
export type GitDataClient = Octokit;

/** A client for one update: token, base URL, silent logs, bounded retries. */
export function gitDataClient(options: {
  token: string;
  apiBaseUrl: string;
  fetch?: typeof fetch;
  retries?: number;
}): GitDataClient {
  const silent = () => {};
  return new GitDataOctokit({
    auth: options.token,
    baseUrl: options.apiBaseUrl.replace(/\/+$/, ''),
    userAgent: 'slipway',
    request: options.fetch ? { fetch: options.fetch } : {},
    // Failures are reported once, by the caller, without the token.
    log: { debug: silent, info: silent, warn: silent, error: silent },
    retry: { retries: options.retries ?? 2 },
  });
}

/**
 * The REST base URL of a GitHub host: its configured `apiBaseUrl`, else
 * GitHub's (`https://api.github.com`) or Enterprise Server's
 * (`https://<host>/api/v3`) convention.
 */
export function githubApiBaseUrl(config: {
  host: string;
  apiBaseUrl?: string;
}): string {
  if (config.apiBaseUrl) return config.apiBaseUrl;
  return config.host === 'github.com'
    ? 'https://api.github.com'
    : `https://${config.host}/api/v3`;
}

/** A failed GitHub request, as Octokit reports it. */
interface RequestFailure {
  status?: number;
  message?: string;
  response?: {
    data?: { message?: string; errors?: Array<{ message?: string }> };
  };
}

/** The HTTP status of a failed request. */
export const statusOf = (e: unknown) => (e as RequestFailure).status;

/** GitHub's own words for a failed request (message and validation errors). */
export function githubMessage(e: unknown): string {
  const f = e as RequestFailure;
  const data = f.response?.data;
  const parts = [
    data?.message ?? f.message ?? String(e),
    ...(data?.errors ?? []).map(x => x.message).filter(Boolean),
  ];
  return parts.join(': ');
}

/** True when a non-forced ref update failed because the branch moved (another writer won). */
export function isRace(e: unknown): boolean {
  return statusOf(e) === 422 && /not a fast.forward/i.test(githubMessage(e));
}

/** Text that survives a UTF-8 round trip goes inline in the tree; anything else as a base64 blob. */
export function asText(content: Buffer): string | undefined {
  const text = content.toString('utf8');
  return Buffer.from(text, 'utf8').equals(content) ? text : undefined;
}

/** The Backstage error for a failed call, its message without the token. */
export function githubError(
  what: string,
  status: number | undefined,
  token: string,
): Error {
  const text = `${what}${status ? ` (HTTP ${status})` : ''}`;
  const message = token ? text.split(token).join('***') : text;
  if (status === 401) return new AuthenticationError(message);
  if (status === 403) return new NotAllowedError(message);
  if (status === 404) return new NotFoundError(message);
  if (status === 409 || status === 422) return new ConflictError(message);
  if (!status || status === 429 || status >= 500)
    return new ServiceUnavailableError(message);
  return new Error(message);
}

/** What the pull-request mode works on. */
export interface PullRequestTarget {
  github: GitDataClient;
  owner: string;
  repo: string;
  /** The branch the pull request goes into. */
  base: string;
  /** A failed call as the caller reports it. */
  fail(e: unknown, what: string): Error;
  logger?: { info(message: string): void };
}

/** Creates the pull-request branch at `sha`, or finds it from an earlier run; returns its head. */
export async function publishBranch(
  t: PullRequestTarget,
  branch: string,
  sha: string,
): Promise<string> {
  const repo = { owner: t.owner, repo: t.repo };
  try {
    await t.github.rest.git.createRef({
      ...repo,
      ref: `refs/heads/${branch}`,
      sha,
    });
    t.logger?.info(`Created branch ${branch} at ${sha}`);
    return sha;
  } catch (e) {
    if (statusOf(e) !== 422) throw t.fail(e, `creating branch ${branch}`);
  }
  // The branch exists: an earlier run pushed this very tree (the name holds its id).
  try {
    const { data } = await t.github.rest.git.getRef({
      ...repo,
      ref: `heads/${branch}`,
    });
    t.logger?.info(`Branch ${branch} already holds this change`);
    return data.object.sha;
  } catch (e) {
    throw t.fail(e, `reading branch ${branch}`);
  }
}

/** The open pull request from `head` into the base branch: found, or opened. */
export async function openPullRequest(
  t: PullRequestTarget,
  head: string,
  message: string,
): Promise<string> {
  const repo = { owner: t.owner, repo: t.repo };
  const find = async () => {
    try {
      const { data } = await t.github.rest.pulls.list({
        ...repo,
        state: 'open',
        head: `${t.owner}:${head}`,
        base: t.base,
      });
      return data[0]?.html_url;
    } catch (e) {
      throw t.fail(e, `listing pull requests of ${head}`);
    }
  };
  const found = await find();
  if (found) return found;
  const [title, ...rest] = message.split('\n');
  try {
    return (
      await t.github.rest.pulls.create({
        ...repo,
        title,
        body: rest.join('\n').trim(),
        head,
        base: t.base,
      })
    ).data.html_url;
  } catch (e) {
    // Opened by a concurrent run between the look-up and here.
    if (statusOf(e) === 422 && /already exists/i.test(githubMessage(e))) {
      const again = await find();
      if (again) return again;
    }
    throw t.fail(e, `opening a pull request from ${head}`);
  }
}
