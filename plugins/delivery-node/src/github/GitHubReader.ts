import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import type {
  BuildSection,
  SourceCommit,
} from '@internal/backstage-plugin-delivery-common';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { githubApiBaseUrl } from '../gitops/gitData';
import { EtagCache } from './EtagCache';
import {
  checkDate,
  checkOwnerRepo,
  checkPath,
  checkPerPage,
  checkRef,
} from './readerInputs';
import { readFailure, webBaseOf } from './readerHttp';
import {
  buildOf,
  commitOf,
  CommitJson,
  PullJson,
  pullOf,
  PullRequestSummary,
  RepoJson,
  WorkflowRunJson,
} from './readerShapes';

// The plugins' type declarations resolve @octokit/core through their peer
// dependency, which the workspace hoists at an older major than the one
// @octokit/rest brings; at run time they only use the hook API both share.
type OctokitPlugin = Parameters<typeof Octokit.plugin>[0];
const ReaderOctokit = Octokit.plugin(
  throttling as unknown as OctokitPlugin,
  retry as unknown as OctokitPlugin,
);
type ReaderOctokitInstance = InstanceType<typeof ReaderOctokit>;

/** How to build a {@link GitHubReader}. @public */
export interface GitHubReaderOptions {
  /** The GitHub host, e.g. `github.com` or `ghe.example.com`. */
  host: string;
  /** REST base URL of the host, e.g. https://api.github.com. */
  apiBaseUrl: string;
  /**
   * Web base URL of the host. Default: derived from apiBaseUrl
   * (`https://api.github.com` gives `https://github.com`, `<x>/api/v3` gives
   * `<x>`), else `https://<host>`.
   */
  webBaseUrl?: string;
  /** Where tokens come from (a token, or a GitHub App installation per owner). */
  credentials: GithubCredentialsProvider;
  fetch?: typeof fetch;
  /** Answers remembered for conditional requests. Default 500. */
  cacheSize?: number;
  /** A request (with its retries) taking longer than this fails. Default 10000 ms. */
  timeoutMs?: number;
  /** Retries of a failed request (5xx, network). Default 2. */
  retries?: number;
  /**
   * A rate-limited request is retried once when GitHub asks to wait at most
   * this long; otherwise it fails at once. Default 10.
   */
  maxRateLimitWaitSeconds?: number;
  logger?: { warn(message: string): void };
}

/** Options of {@link GitHubReader.fromConfig}. @public */
export type GitHubReaderFromConfigOptions = Partial<
  Omit<GitHubReaderOptions, 'apiBaseUrl' | 'credentials'>
>;

/** Options of {@link GitHubReader.listCommits}. @public */
export interface ListCommitsOptions {
  /** Branch, tag or SHA to list from. Default: the default branch. */
  sha?: string;
  /** Only commits that changed this file or folder. */
  path?: string;
  /** Only commits after this time (ISO 8601). */
  since?: string;
  /** Only commits before this time (ISO 8601). */
  until?: string;
  /** 1 to 100. Default 30. */
  perPage?: number;
}

/** Options of {@link GitHubReader.listWorkflowRuns}. @public */
export interface ListWorkflowRunsOptions {
  branch?: string;
  /** 1 to 100. Default 30. */
  perPage?: number;
}

/** Counters of the requests a {@link GitHubReader} sent. @public */
export interface GitHubReaderStats {
  /** HTTP requests sent to GitHub (retries included). */
  requests: number;
  /** Of those, answered 304 Not Modified and served from the cache. */
  notModified: number;
  /** Answers currently remembered. */
  cacheEntries: number;
}

/**
 * Reads what the delivery status shows from one GitHub host's REST API:
 * commits, Actions runs, files and repositories, through Octokit with
 * throttling and retries.
 *
 * Every read is a conditional request: the last answer for each URL and its
 * ETag are kept (least recently used first out), sent back as
 * If-None-Match, and a 304 is answered from memory. GitHub does not count a
 * 304 against the rate limit, so polling a page costs nothing while nothing
 * changed. Tokens come from the host's integration and never appear in an
 * error or a log line.
 *
 * @public
 */
export class GitHubReader {
  readonly host: string;
  readonly apiBaseUrl: string;
  readonly webBaseUrl: string;
  readonly #octokit: ReaderOctokitInstance;
  readonly #credentials: GithubCredentialsProvider;
  readonly #cache: EtagCache;
  readonly #timeoutMs: number;
  readonly #stats = { requests: 0, notModified: 0 };

  /**
   * Reads `integrations.github` for the host: `options.host`, else the host
   * of `slipway.gitops.helmCharts.repoUrl`, else github.com. InputError when
   * the host has no integration.
   */
  static fromConfig(
    config: Config,
    options: GitHubReaderFromConfigOptions = {},
  ): GitHubReader {
    const integrations = ScmIntegrations.fromConfig(config);
    const chartsUrl = config.getOptionalString(
      'slipway.gitops.helmCharts.repoUrl',
    );
    const host =
      options.host ?? (chartsUrl ? new URL(chartsUrl).host : 'github.com');
    const integration = integrations.github.byHost(host);
    if (!integration) {
      throw new InputError(`No integrations.github entry for host '${host}'`);
    }
    return new GitHubReader({
      ...options,
      host,
      apiBaseUrl: githubApiBaseUrl(integration.config),
      credentials:
        DefaultGithubCredentialsProvider.fromIntegrations(integrations),
    });
  }

  constructor(options: GitHubReaderOptions) {
    this.host = options.host;
    this.apiBaseUrl = options.apiBaseUrl.replace(/\/+$/, '');
    this.webBaseUrl = (
      options.webBaseUrl ?? webBaseOf(this.apiBaseUrl, this.host)
    ).replace(/\/+$/, '');
    this.#credentials = options.credentials;
    this.#cache = new EtagCache(options.cacheSize ?? 500);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    const baseFetch = options.fetch ?? fetch;
    const stats = this.#stats;
    const countingFetch = (async (input, init) => {
      stats.requests++;
      const res = await baseFetch(input, init);
      if (res.status === 304) stats.notModified++;
      return res;
    }) as typeof fetch;
    const maxWait = options.maxRateLimitWaitSeconds ?? 10;
    // Octokit logs every non-2xx answer as an error, 304s included; those
    // reach the caller as results or thrown errors, so only warnings (rate
    // limits, deprecations) are passed on.
    const warn = (message: string) => options.logger?.warn(message);
    const onLimit = (retryAfter: number, _o: unknown, _k: unknown, n: number) =>
      n < 1 && retryAfter <= maxWait;
    this.#octokit = new ReaderOctokit({
      baseUrl: this.apiBaseUrl,
      userAgent: 'slipway-delivery',
      request: { fetch: countingFetch },
      log: { debug: () => {}, info: () => {}, warn, error: () => {} },
      retry: { retries: options.retries ?? 2 },
      throttle: { onRateLimit: onLimit, onSecondaryRateLimit: onLimit },
    });
  }

  /**
   * Splits a `github.com/project-slug` value (`owner/repo`) and checks both
   * names, so neither can reach another API path. InputError otherwise.
   */
  static parseSlug(slug: string): { owner: string; repo: string } {
    const parts = typeof slug === 'string' ? slug.trim().split('/') : [];
    if (parts.length !== 2) {
      throw new InputError(
        `'${slug}' is not a GitHub repository slug ('owner/repo')`,
      );
    }
    const [owner, repo] = parts;
    checkOwnerRepo(owner, repo);
    return { owner, repo };
  }

  /** What was sent so far; for tests and benchmarks. */
  stats(): GitHubReaderStats {
    return { ...this.#stats, cacheEntries: this.#cache.size };
  }

  /** The repository's Actions page. */
  actionsUrl(owner: string, repo: string): string {
    checkOwnerRepo(owner, repo);
    return `${this.webBaseUrl}/${owner}/${repo}/actions`;
  }

  /**
   * Commits, newest first, with the first line of their message (and the
   * whole message as `fullMessage`, for trailers). An empty
   * repository, a missing repository or a missing ref give none (tell them
   * apart with {@link GitHubReader.getRepository}).
   */
  async listCommits(
    owner: string,
    repo: string,
    options: ListCommitsOptions = {},
  ): Promise<Array<SourceCommit & { fullMessage: string }>> {
    checkOwnerRepo(owner, repo);
    if (options.sha !== undefined) checkRef(options.sha, 'sha');
    const params = {
      owner,
      repo,
      sha: options.sha,
      path:
        options.path === undefined
          ? undefined
          : checkPath(options.path, 'path'),
      since: checkDate(options.since, 'since'),
      until: checkDate(options.until, 'until'),
      per_page: checkPerPage(options.perPage),
    };
    const res = await this.#get<CommitJson[]>(
      'GET /repos/{owner}/{repo}/commits',
      params,
      `commits of ${owner}/${repo}`,
    );
    if (!res) return [];
    return res.map(commitOf);
  }

  /**
   * The repository's pull requests into `base` (default: any), newest
   * first; `state` default 'open'. A missing repository gives none.
   */
  async listPullRequests(
    owner: string,
    repo: string,
    options: {
      base?: string;
      state?: 'open' | 'closed' | 'all';
      perPage?: number;
    } = {},
  ): Promise<PullRequestSummary[]> {
    checkOwnerRepo(owner, repo);
    if (options.base !== undefined) checkRef(options.base, 'base');
    const res = await this.#get<PullJson[]>(
      'GET /repos/{owner}/{repo}/pulls',
      {
        owner,
        repo,
        base: options.base,
        state: options.state ?? 'open',
        sort: 'created',
        direction: 'desc',
        per_page: checkPerPage(options.perPage),
      },
      `pull requests of ${owner}/${repo}`,
    );
    return (res ?? []).map(pullOf);
  }

  /**
   * The repository's newest GitHub Actions runs, as GitHub orders them
   * (newest first). A missing repository gives a section without builds.
   */
  async listWorkflowRuns(
    owner: string,
    repo: string,
    options: ListWorkflowRunsOptions = {},
  ): Promise<BuildSection> {
    checkOwnerRepo(owner, repo);
    if (options.branch !== undefined) checkRef(options.branch, 'branch');
    const res = await this.#get<{ workflow_runs?: WorkflowRunJson[] }>(
      'GET /repos/{owner}/{repo}/actions/runs',
      {
        owner,
        repo,
        branch: options.branch,
        per_page: checkPerPage(options.perPage),
      },
      `workflow runs of ${owner}/${repo}`,
    );
    return {
      provider: 'github-actions',
      url: this.actionsUrl(owner, repo),
      builds: (res?.workflow_runs ?? []).map(buildOf),
    };
  }

  /**
   * A file's text at `ref` (default: the default branch); undefined when
   * the repository, the ref or the file does not exist, or the path is a
   * folder.
   */
  async getFileContent(
    owner: string,
    repo: string,
    path: string,
    ref?: string,
  ): Promise<string | undefined> {
    checkOwnerRepo(owner, repo);
    const clean = checkPath(path, 'path');
    if (ref !== undefined) checkRef(ref, 'ref');
    // Each segment encoded on its own, so the path's slashes stay slashes.
    const encoded = clean.split('/').map(encodeURIComponent).join('/');
    const data = await this.#get<unknown>(
      `GET /repos/{owner}/{repo}/contents/${encoded}`,
      { owner, repo, ref, mediaType: { format: 'raw' } },
      `${clean} in ${owner}/${repo}`,
    );
    return typeof data === 'string' ? data : undefined;
  }

  /** The repository's default branch and web page; undefined when it does not exist. */
  async getRepository(
    owner: string,
    repo: string,
  ): Promise<
    { defaultBranch: string; htmlUrl: string; topics: string[] } | undefined
  > {
    checkOwnerRepo(owner, repo);
    const data = await this.#get<RepoJson>(
      'GET /repos/{owner}/{repo}',
      { owner, repo },
      `repository ${owner}/${repo}`,
    );
    return data
      ? {
          defaultBranch: data.default_branch,
          htmlUrl: data.html_url,
          topics: data.topics ?? [],
        }
      : undefined;
  }

  /**
   * One conditional GET. The answer, or undefined for 404 (no such
   * resource) and 409 (an empty repository); any other failure is a
   * ServiceUnavailableError.
   */
  async #get<T>(
    route: string,
    params: Record<string, unknown>,
    what: string,
  ): Promise<T | undefined> {
    const defined = Object.fromEntries(
      Object.entries(params).filter(([, v]) => v !== undefined),
    );
    const { owner, repo } = defined as { owner: string; repo: string };
    const key = this.#octokit.request.endpoint(route, defined).url;
    const cached = this.#cache.get(key);
    const credentials = await this.#credentials.getCredentials({
      url: `https://${this.host}/${owner}/${repo}`,
    });
    const headers: Record<string, string> = { ...credentials.headers };
    if (cached) headers['if-none-match'] = cached.etag;
    try {
      const res = await this.#octokit.request(route, {
        ...defined,
        headers,
        request: { signal: AbortSignal.timeout(this.#timeoutMs) },
      });
      const etag = res.headers.etag;
      if (etag) this.#cache.set(key, { etag, data: res.data });
      else this.#cache.delete(key);
      return res.data as T;
    } catch (e) {
      const status = (e as { status?: number }).status;
      if (status === 304 && cached) return cached.data as T;
      if (status === 404 || status === 409) {
        this.#cache.delete(key);
        return undefined;
      }
      throw readFailure(e, what, this.host, this.#timeoutMs);
    }
  }
}
