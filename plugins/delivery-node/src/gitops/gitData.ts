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
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import { noteRetry } from '../retry/progress';

/** Retries of a request answered 429 (without rate-limit signals), 5xx or not at all. */
const DEFAULT_RETRIES = 4;
/** Every 4xx but 429: the request itself is wrong, sending it again cannot help. */
const DO_NOT_RETRY = Array.from({ length: 100 }, (_, i) => 400 + i).filter(
  s => s !== 429,
);
/** A rate limit is waited out at most this often... */
const RATE_LIMIT_RETRIES = 2;
/** ...and only when GitHub asks to wait at most this long (s); else the request fails. */
const MAX_RATE_LIMIT_WAIT_S = 60;

/**
 * plugin-throttling's default write limiter starts each POST, PATCH, PUT
 * and DELETE of the whole process at least 1 s after the one before, after
 * GitHub's advice for clients that make many writes (to stay clear of its
 * secondary rate limits). A provisioning run makes a burst of about ten
 * (repository, blobs, tree, commit, ref, settings): the pause would add
 * ~10 s to every wizard run, and to every test. Writes start without it
 * here; should GitHub answer a burst with a secondary rate limit, the
 * request is retried after the retry-after it gives (onRateLimit). One
 * group serves every client, as a Bottleneck group keeps a timer.
 */
const WRITES = new Bottleneck.Group({ minTime: 0 });

/** Retries noted so far, per request (its options object lives across attempts). */
const retriesNoted = new WeakMap<object, number>();
/** Why the rate limits ended a request, per request, then per error. */
const rateLimitEnded = new WeakMap<object, string>();

interface AttemptFailure {
  status?: number;
  request?: { request?: unknown };
  response?: unknown;
}
interface AttemptOptions {
  method: string;
  url: string;
  request: { retries?: number };
}

/**
 * Writes the progress line of each retry plugin-retry makes. Registered
 * after plugin-throttling and before plugin-retry, its hook sees every
 * failed attempt that plugin-throttling hands on (rate limits it retries
 * itself are noted by {@link onRateLimit}), and decides as plugin-retry
 * will. `options.request.retryCount` cannot number the retries: both
 * plugins write it, on a `request` object the client's calls share.
 */
function retryProgress(
  octokit: Octokit,
  octokitOptions: { retry: { retries: number } },
) {
  octokit.hook.error('request', (error, hookOptions) => {
    const f = error as AttemptFailure;
    const options = hookOptions as unknown as AttemptOptions;
    const ended = rateLimitEnded.get(options);
    if (ended) rateLimitEnded.set(error, ended);
    const retries = options.request.retries ?? octokitOptions.retry.retries;
    const n = (retriesNoted.get(options) ?? 0) + 1;
    if (
      f.request?.request &&
      f.status &&
      f.status >= 400 &&
      !DO_NOT_RETRY.includes(f.status) &&
      n <= retries
    ) {
      retriesNoted.set(options, n);
      // The route template (`/repos/{owner}/{repo}/git/trees`), never the
      // expanded URL, its query or headers.
      const route = options.url.replace(/^\w+:\/\/[^/]*/, '').split('?')[0];
      noteRetry(
        `GitHub ${options.method} ${route} ${
          f.response ? `answered ${f.status}` : 'did not answer'
        }, retrying ${n}/${retries}`,
      );
    }
    throw error;
  });
  return {};
}

/**
 * plugin-throttling's handler of primary and secondary rate limits: waits
 * what GitHub asks, at most MAX_RATE_LIMIT_WAIT_S and RATE_LIMIT_RETRIES
 * times. Otherwise the request fails now, and plugin-retry must not send
 * it again (it retries 429s): its `request` options get `retries: 0`, on a
 * copy, as the client's other calls share the object.
 */
function onRateLimit(
  retryAfter: number,
  options: AttemptOptions,
  _octokit: unknown,
  retryCount: number,
): boolean {
  if (retryCount < RATE_LIMIT_RETRIES && retryAfter <= MAX_RATE_LIMIT_WAIT_S) {
    noteRetry(
      `GitHub rate limit reached, waiting ${retryAfter} s, retrying ${
        retryCount + 1
      }/${RATE_LIMIT_RETRIES}`,
    );
    return true;
  }
  options.request = { ...options.request, retries: 0 };
  rateLimitEnded.set(
    options,
    retryCount < RATE_LIMIT_RETRIES
      ? `GitHub rate limit reached, and GitHub asks to wait ${retryAfter} s (Slipway waits at most ${MAX_RATE_LIMIT_WAIT_S} s)`
      : `GitHub rate limit still reached after ${RATE_LIMIT_RETRIES} waits`,
  );
  return false;
}

// @octokit/rest carries its own copy of @octokit/core, whose types differ
// from the one the plugins are typed against; at runtime they agree.
type OctokitPlugin = Parameters<typeof Octokit.plugin>[0];
const GitDataOctokit = Octokit.plugin(
  throttling as unknown as OctokitPlugin,
  retryProgress as unknown as OctokitPlugin,
  retry as unknown as OctokitPlugin,
);

/** The Octokit client the helm-charts writer uses (the plugins add no methods it uses). */
export type GitDataClient = Octokit;

/**
 * A client for one update: token, base URL, silent logs, bounded retries
 * (429, 5xx, no answer), rate limits waited out when short, and a progress
 * line ({@link noteRetry}) for each retry.
 */
export function gitDataClient(options: {
  token: string;
  apiBaseUrl: string;
  fetch?: typeof fetch;
  /** Retries of a request answered 429 (not a rate limit), 5xx or not at all. Default 4. */
  retries?: number;
  /** plugin-retry's backoff unit in ms: retry n waits n² units. Default 250. */
  retryAfterBaseValue?: number;
  /** How long a second of the wait a rate limit asks for lasts, in ms. Default 1000. */
  rateLimitSecondMs?: number;
}): GitDataClient {
  const silent = () => {};
  const baseUrl = options.apiBaseUrl.replace(/\/+$/, '');
  return new GitDataOctokit({
    auth: options.token,
    baseUrl,
    userAgent: 'slipway',
    request: options.fetch ? { fetch: options.fetch } : {},
    // Failures are reported once, by the caller, without the token.
    log: { debug: silent, info: silent, warn: silent, error: silent },
    retry: {
      retries: options.retries ?? DEFAULT_RETRIES,
      retryAfterBaseValue: options.retryAfterBaseValue ?? 250,
      doNotRetry: DO_NOT_RETRY,
    },
    throttle: {
      // Limiters are per host (GitHub limits per host and account).
      id: baseUrl,
      write: WRITES,
      retryAfterBaseValue: options.rateLimitSecondMs ?? 1000,
      onRateLimit,
      onSecondaryRateLimit: onRateLimit,
    },
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

/**
 * GitHub's own words for a failed request (message and validation errors),
 * after why the rate limits ended it, if they did.
 */
export function githubMessage(e: unknown): string {
  const f = e as RequestFailure;
  const data = f.response?.data;
  return [
    rateLimitEnded.get(e as object),
    data?.message ?? f.message ?? String(e),
    ...(data?.errors ?? []).map(x => x.message),
  ]
    .filter(Boolean)
    .join(': ');
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
