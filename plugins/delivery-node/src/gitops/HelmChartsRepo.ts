import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { Config } from '@backstage/config';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { readHelmChartsSettings } from './config';
import { GitObjectWorkTree, WorkTree } from './WorkTree';

/** Progress lines from an update (the action passes ctx.logger). @public */
export interface UpdateLogger {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * What a change returns. Whatever it is comes back as `result` of
 * {@link HelmChartsRepo.update}; it must be JSON-like, and the change must
 * be a pure function of the files it sees, because it runs again on a fresh
 * checkout after each lost race.
 *
 * @public
 */
export type ChangeResult = unknown;

/** What {@link HelmChartsRepo.update} did. @public */
export interface UpdateResult<T extends ChangeResult = ChangeResult> {
  /** The commit now carrying the change: the new commit, or the branch head when nothing changed. */
  commitSha: string;
  /** False when the change left every file as it was (no commit was made). */
  changed: boolean;
  /** In pull-request mode, the pull request opened (or found) for the change. */
  pullRequestUrl?: string;
  /** The branch the commit was pushed to. */
  branch: string;
  /** Checkouts it took (1 + lost races). */
  attempts: number;
  result: T;
}

/** Options of {@link HelmChartsRepo.update}. @public */
export interface UpdateOptions {
  /** The service the change is for; names the pull-request branch. */
  name?: string;
  logger?: UpdateLogger;
}

/** How to build a {@link HelmChartsRepo}. @public */
export interface HelmChartsRepoOptions {
  repoUrl: string;
  branch: string;
  mode: 'push' | 'pull-request';
  /** GitHub REST base URL for the repository's host. */
  apiBaseUrl?: string;
  credentials: GithubCredentialsProvider;
  fetch?: typeof fetch;
  /** Parent folder of the temporary checkouts. Default os.tmpdir(). */
  tmpDir?: string;
  author?: { name: string; email: string };
  /** Checkouts tried before giving up on racing pushes. Default 10. */
  maxAttempts?: number;
  /**
   * Exponential backoff with full jitter: the smallest window unit and the
   * cap, in ms. Default 100 / 10000.
   */
  backoff?: { baseMs: number; maxMs: number };
}

const DEFAULT_AUTHOR = {
  name: 'Slipway',
  email: 'slipway@users.noreply.github.com',
};

/** True when a push failed because the branch moved (another writer won). */
function isRace(e: unknown): boolean {
  const err = e as { code?: string; data?: { reason?: string } };
  if (err?.code === 'PushRejectedError')
    return err.data?.reason === 'not-fast-forward';
  if (err?.code === 'GitPushError') {
    return /fast-forward|fetch first|lock|failed to update|expected|stale/i.test(
      String((e as Error).message),
    );
  }
  return false;
}

const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * The helm-charts GitOps repository: every change is a shallow, single-branch
 * checkout into a fresh temporary folder, a commit, and a fast-forward push
 * (never a force push), retried from a fresh checkout with exponential
 * backoff and full jitter when another writer moved the branch first. The
 * cost of an update is one commit's tree, whatever the repository's history.
 *
 * @public
 */
export class HelmChartsRepo {
  readonly repoUrl: string;
  readonly branch: string;
  readonly mode: 'push' | 'pull-request';
  readonly #o: HelmChartsRepoOptions;
  readonly #owner: string;
  readonly #repo: string;

  /**
   * Reads `slipway.gitops.helmCharts` and the GitHub integration of its host
   * (a token, or a GitHub App, under `integrations.github`).
   */
  static fromConfig(
    config: Config,
    options: Partial<
      Pick<
        HelmChartsRepoOptions,
        'fetch' | 'tmpDir' | 'maxAttempts' | 'backoff' | 'author'
      >
    > = {},
  ): HelmChartsRepo {
    const settings = readHelmChartsSettings(config);
    const integrations = ScmIntegrations.fromConfig(config);
    const integration = integrations.github.byUrl(settings.repoUrl);
    if (!integration) {
      throw new InputError(
        `No integrations.github entry for the host of ${settings.repoUrl}`,
      );
    }
    const authorName = config.getOptionalString(
      'scaffolder.defaultAuthor.name',
    );
    const authorEmail = config.getOptionalString(
      'scaffolder.defaultAuthor.email',
    );
    return new HelmChartsRepo({
      ...settings,
      apiBaseUrl: integration.config.apiBaseUrl,
      credentials:
        DefaultGithubCredentialsProvider.fromIntegrations(integrations),
      author: {
        name: authorName ?? DEFAULT_AUTHOR.name,
        email: authorEmail ?? DEFAULT_AUTHOR.email,
      },
      ...options,
    });
  }

  constructor(options: HelmChartsRepoOptions) {
    this.#o = options;
    this.repoUrl = options.repoUrl.replace(/\/+$/, '').replace(/\.git$/, '');
    this.branch = options.branch;
    this.mode = options.mode;
    const [owner, repo] = new URL(this.repoUrl).pathname
      .replace(/^\/+|\/+$/g, '')
      .split('/');
    this.#owner = owner;
    this.#repo = repo;
  }

  /** The URL git (and Argo CD) clone from: the web URL plus `.git`. */
  get cloneUrl(): string {
    return `${this.repoUrl}.git`;
  }

  /**
   * Applies `change` to a fresh checkout of the branch and publishes it:
   * nothing when no file changed, else a commit pushed fast-forward to the
   * branch (push mode) or to `slipway/<name>-<id>` with a pull request
   * (pull-request mode). Errors thrown by `change` end the update as they are.
   */
  async update<T extends ChangeResult>(
    change: (files: WorkTree) => Promise<T>,
    message: string,
    options: UpdateOptions = {},
  ): Promise<UpdateResult<T>> {
    const token = await this.#token();
    const maxAttempts = this.#o.maxAttempts ?? 10;
    const { baseMs, maxMs } = this.#o.backoff ?? { baseMs: 100, maxMs: 10_000 };
    for (let attempt = 1; ; attempt++) {
      const dir = await fs.promises.mkdtemp(
        path.join(this.#o.tmpDir ?? os.tmpdir(), 'slipway-helm-charts-'),
      );
      const started = Date.now();
      try {
        const outcome = await this.#attempt(
          dir,
          token,
          change,
          message,
          options,
        );
        if (outcome !== 'raced') return { ...outcome, attempts: attempt };
      } catch (e) {
        throw this.#wrap(e, token);
      } finally {
        await fs.promises.rm(dir, { recursive: true, force: true });
      }
      if (attempt >= maxAttempts) {
        throw new ConflictError(
          `Gave up pushing to ${this.repoUrl} (${this.branch}) after ${attempt} attempts: other writers kept moving the branch`,
        );
      }
      // Full jitter over a window that doubles per lost race; the window's
      // unit is at least one attempt's duration, so writers spread out.
      const unit = Math.max(baseMs, Date.now() - started);
      const delay = Math.floor(
        Math.random() * Math.min(maxMs, unit * 2 ** (attempt - 1)),
      );
      options.logger?.info(
        `${this.branch} of ${
          this.repoUrl
        } moved while pushing; retrying from a fresh checkout in ${delay} ms (attempt ${
          attempt + 1
        } of ${maxAttempts})`,
      );
      await sleep(delay);
    }
  }

  async #attempt<T>(
    dir: string,
    token: string,
    change: (files: WorkTree) => Promise<T>,
    message: string,
    options: UpdateOptions,
  ): Promise<Omit<UpdateResult<T>, 'attempts'> | 'raced'> {
    const onAuth = () => ({ username: 'x-access-token', password: token });
    const onAuthFailure = () => ({ cancel: true });
    await git.clone({
      fs,
      http,
      dir,
      url: this.cloneUrl,
      ref: this.branch,
      singleBranch: true,
      depth: 1,
      noTags: true,
      noCheckout: true,
      onAuth,
      onAuthFailure,
    });
    const head = await git.resolveRef({ fs, dir, ref: 'HEAD' });
    const { commit: headCommit } = await git.readCommit({ fs, dir, oid: head });
    const files = new GitObjectWorkTree(dir, headCommit.tree);
    const result = await change(files);
    const tree = await files.writeTree();
    if (tree === headCommit.tree) {
      return { commitSha: head, changed: false, branch: this.branch, result };
    }
    const author = this.#o.author ?? DEFAULT_AUTHOR;
    const sha = await git.commit({
      fs,
      dir,
      message,
      author,
      tree,
      parent: [head],
    });

    if (this.mode === 'pull-request') {
      const prBranch = `slipway/${options.name ?? 'change'}-${tree.slice(
        0,
        8,
      )}`;
      let commitSha = sha;
      try {
        await git.push({
          fs,
          http,
          dir,
          remote: 'origin',
          ref: this.branch,
          remoteRef: `refs/heads/${prBranch}`,
          onAuth,
          onAuthFailure,
        });
        options.logger?.info(`Pushed ${sha} to branch ${prBranch}`);
      } catch (e) {
        if (!isRace(e)) throw e;
        // The branch exists: an earlier run pushed this very tree (the name holds its id).
        const remote = await git.listServerRefs({
          http,
          url: this.cloneUrl,
          prefix: `refs/heads/${prBranch}`,
          onAuth,
        });
        commitSha = remote[0]?.oid ?? sha;
        options.logger?.info(`Branch ${prBranch} already holds this change`);
      }
      const pullRequestUrl = await this.#openPullRequest(
        token,
        prBranch,
        message,
      );
      return {
        commitSha,
        changed: true,
        branch: prBranch,
        pullRequestUrl,
        result,
      };
    }

    try {
      await git.push({
        fs,
        http,
        dir,
        remote: 'origin',
        ref: this.branch,
        onAuth,
        onAuthFailure,
      });
    } catch (e) {
      if (isRace(e)) return 'raced';
      throw e;
    }
    options.logger?.info(`Pushed ${sha} to ${this.branch} of ${this.repoUrl}`);

    return { commitSha: sha, changed: true, branch: this.branch, result };
  }

  async #openPullRequest(
    token: string,
    head: string,
    message: string,
  ): Promise<string> {
    const base = this.#o.apiBaseUrl;
    if (!base) {
      throw new InputError(
        `integrations.github for ${this.repoUrl} has no apiBaseUrl; pull-request mode needs it`,
      );
    }
    const doFetch = this.#o.fetch ?? fetch;
    const headers = {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'slipway',
    };
    const [title, ...rest] = message.split('\n');
    const pulls = `${base}/repos/${encodeURIComponent(
      this.#owner,
    )}/${encodeURIComponent(this.#repo)}/pulls`;
    const res = await doFetch(pulls, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        title,
        body: rest.join('\n').trim(),
        head,
        base: this.branch,
      }),
    });
    if (res.ok) {
      return ((await res.json()) as { html_url: string }).html_url;
    }
    const text = await res.text();
    if (res.status === 422 && /already exists/i.test(text)) {
      const found = await doFetch(
        `${pulls}?state=open&head=${encodeURIComponent(
          `${this.#owner}:${head}`,
        )}`,
        { headers },
      );
      if (found.ok) {
        const list = (await found.json()) as Array<{ html_url: string }>;
        if (list[0]) return list[0].html_url;
      }
    }
    throw this.#httpError(
      res.status,
      `opening a pull request from ${head}: ${text.slice(0, 300)}`,
      token,
    );
  }

  async #token(): Promise<string> {
    const { token } = await this.#o.credentials.getCredentials({
      url: this.repoUrl,
    });
    if (!token) {
      throw new AuthenticationError(
        `No GitHub credentials for ${this.repoUrl}: configure a token or a GitHub App under integrations.github for its host`,
      );
    }
    return token;
  }

  #httpError(status: number, what: string, token: string): Error {
    const message = redact(
      `helm-charts ${this.repoUrl}: ${what} (HTTP ${status})`,
      token,
    );
    if (status === 401) return new AuthenticationError(message);
    if (status === 403) return new NotAllowedError(message);
    if (status === 404) return new NotFoundError(message);
    if (status === 409 || status === 422) return new ConflictError(message);
    if (status === 429 || status >= 500)
      return new ServiceUnavailableError(message);
    return new Error(message);
  }

  /** Errors from git come back with the repository named and no secret in them. */
  #wrap(e: unknown, token: string): Error {
    const err = e as Error & {
      code?: string;
      data?: { statusCode?: number; response?: string };
    };
    if (!err || typeof err !== 'object' || !('message' in err)) {
      return new Error(redact(String(e), token));
    }
    if (err.code === 'HttpError' && err.data?.statusCode) {
      return this.#httpError(err.data.statusCode, 'git request failed', token);
    }
    if (err.code === 'UserCanceledError') {
      return new AuthenticationError(
        `helm-charts ${this.repoUrl}: git refused the configured GitHub credentials`,
      );
    }
    if (err.code === 'NotFoundError' && /ref|branch/i.test(err.message)) {
      return new NotFoundError(
        `helm-charts ${this.repoUrl}: branch ${this.branch} not found`,
      );
    }
    if (err.code && /Error$/.test(err.code)) {
      // isomorphic-git's own errors: keep the code, drop anything secret.
      const wrapped = new Error(
        redact(`helm-charts ${this.repoUrl}: ${err.message}`, token),
      );
      wrapped.name = err.code;
      return wrapped;
    }
    if (token && err.message.includes(token)) {
      err.message = redact(err.message, token);
    }
    return err;
  }
}

function redact(text: string, token: string): string {
  return token ? text.split(token).join('***') : text;
}
