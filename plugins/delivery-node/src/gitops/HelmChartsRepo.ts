import { Config } from '@backstage/config';
import {
  AuthenticationError,
  ConflictError,
  InputError,
} from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { jitteredDelay } from '../retry/progress';
import { readHelmChartsSettings } from './config';
import {
  asText,
  GitDataClient,
  gitDataClient,
  githubError,
  githubMessage,
  isRace,
  openPullRequest,
  PullRequestTarget,
  publishBranch,
  statusOf,
  githubApiBaseUrl,
} from './gitData';
import { withCause } from '../retry/failures';
import {
  ApiWorkTree,
  BlobMode,
  GitObjects,
  TreeEntry,
  WorkTree,
} from './WorkTree';

/** Progress lines from an update (the action passes ctx.logger). @public */
export interface UpdateLogger {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * What a change returns. Whatever it is comes back as `result` of
 * {@link HelmChartsRepo.update}; it must be JSON-like, and the change must
 * be a pure function of the files it sees, because it runs again on a fresh
 * read of the branch head after each lost race.
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
  /** Attempts it took (1 + lost races). */
  attempts: number;
  result: T;
}

/** Options of {@link HelmChartsRepo.update}. @public */
export interface UpdateOptions {
  /** The service the change is for; names the pull-request branch. */
  name?: string;
  /**
   * How this change is published, when it differs from the repository's
   * mode (an environment whose promotions need a pull request). Default:
   * `mode` of the repository.
   */
  mode?: 'push' | 'pull-request';
  logger?: UpdateLogger;
}

/** How to build a {@link HelmChartsRepo}. @public */
export interface HelmChartsRepoOptions {
  repoUrl: string;
  branch: string;
  mode: 'push' | 'pull-request';
  /** GitHub REST base URL for the repository's host (GitHub's Git Data API is used). */
  apiBaseUrl: string;
  credentials: GithubCredentialsProvider;
  fetch?: typeof fetch;
  author?: { name: string; email: string };
  /** Attempts before giving up on a branch that other writers keep moving. Default 10. */
  maxAttempts?: number;
  /**
   * Exponential backoff with full jitter: the smallest window unit and the
   * cap, in ms. Default 100 / 10000.
   */
  backoff?: { baseMs: number; maxMs: number };
  /** Retries of a request that failed with a 429 (not a rate limit), a 5xx or no answer. Default 4 (gitDataClient). */
  retries?: number;
}

const DEFAULT_AUTHOR = {
  name: 'Slipway',
  email: 'slipway@users.noreply.github.com',
};

const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * The helm-charts GitOps repository, written through GitHub's Git Data API
 * (what github.com and GitHub Enterprise Server offer): each update reads the
 * branch ref and its commit, reads only the folders and files the change
 * asks for, then creates a tree on the head's tree (`base_tree`, with only
 * the changed paths), a commit on the head, and moves the branch with a
 * non-forced ref update. GitHub refuses that update ("not a fast forward")
 * when another writer moved the branch first; the update then starts again
 * from a fresh read, after an exponential backoff with full jitter. Nothing
 * is cloned, so an update costs the same whether the repository holds 10
 * charts or 10,000 and whatever its history.
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
        'fetch' | 'maxAttempts' | 'backoff' | 'author' | 'retries'
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
      apiBaseUrl: githubApiBaseUrl(integration.config),
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
   * Applies `change` to the branch head and publishes it: nothing when no
   * file changed, else a commit moved onto the branch fast-forward only
   * (push mode) or onto `slipway/<name>-<id>` with a pull request
   * (pull-request mode). Errors thrown by `change` end the update as they are.
   */
  async update<T extends ChangeResult>(
    change: (files: WorkTree) => Promise<T>,
    message: string,
    options: UpdateOptions = {},
  ): Promise<UpdateResult<T>> {
    const token = await this.#token();
    const github = this.#client(token);
    const maxAttempts = this.#o.maxAttempts ?? 10;
    const { baseMs, maxMs } = this.#o.backoff ?? { baseMs: 100, maxMs: 10_000 };
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      const outcome = await this.#attempt(
        github,
        token,
        change,
        message,
        options,
      );
      if (outcome !== 'raced') return { ...outcome, attempts: attempt };
      if (attempt >= maxAttempts) {
        throw new ConflictError(
          `Gave up updating ${this.branch} of ${this.repoUrl} after ${attempt} attempts: other writers kept moving the branch`,
        );
      }
      // Full jitter over a window that doubles per lost race; the window's
      // unit is at least one attempt's duration, so writers spread out.
      const unit = Math.max(baseMs, Date.now() - started);
      const delay = jitteredDelay(attempt - 1, { baseMs: unit, capMs: maxMs });
      options.logger?.info(
        `${this.branch} of ${
          this.repoUrl
        } moved while committing; retrying from the new head in ${delay} ms (attempt ${
          attempt + 1
        } of ${maxAttempts})`,
      );
      await sleep(delay);
    }
  }

  #client(token: string): GitDataClient {
    return gitDataClient({
      token,
      apiBaseUrl: this.#o.apiBaseUrl,
      fetch: this.#o.fetch,
      retries: this.#o.retries,
    });
  }

  /** One GitHub call; a failure comes back named, classified and without the token. */
  async #call<R>(token: string, what: string, fn: () => Promise<R>) {
    try {
      return await fn();
    } catch (e) {
      throw this.#fail(e, what, token);
    }
  }

  async #attempt<T>(
    github: GitDataClient,
    token: string,
    change: (files: WorkTree) => Promise<T>,
    message: string,
    options: UpdateOptions,
  ): Promise<Omit<UpdateResult<T>, 'attempts'> | 'raced'> {
    const repo = { owner: this.#owner, repo: this.#repo };
    const head = await this.#call(
      token,
      `reading branch ${this.branch}`,
      async () =>
        (
          await github.rest.git.getRef({ ...repo, ref: `heads/${this.branch}` })
        ).data.object.sha,
    );
    const baseTree = await this.#call(
      token,
      `reading commit ${head}`,
      async () =>
        (
          await github.rest.git.getCommit({ ...repo, commit_sha: head })
        ).data.tree.sha,
    );
    const objects: GitObjects = {
      readTree: (sha, recursive) =>
        this.#call(token, `reading tree ${sha}`, async () => {
          const { data } = await github.rest.git.getTree({
            ...repo,
            tree_sha: sha,
            ...(recursive ? { recursive: '1' } : {}),
          });
          return {
            entries: data.tree as TreeEntry[],
            truncated: data.truncated,
          };
        }),
      readBlob: sha =>
        this.#call(token, `reading blob ${sha}`, async () => {
          const { data } = await github.rest.git.getBlob({
            ...repo,
            file_sha: sha,
          });
          return Buffer.from(
            data.content,
            data.encoding === 'base64' ? 'base64' : 'utf8',
          );
        }),
    };
    const files = new ApiWorkTree(objects, baseTree);
    const result = await change(files);
    const changes = await files.changes();
    if (changes.length === 0) {
      return { commitSha: head, changed: false, branch: this.branch, result };
    }

    const entries: Array<{
      path: string;
      mode: BlobMode;
      type: 'blob';
      sha?: string | null;
      content?: string;
    }> = [];
    for (const c of changes) {
      const text = c.content === null ? undefined : asText(c.content);
      if (c.content === null) {
        entries.push({ path: c.path, mode: c.mode, type: 'blob', sha: null });
      } else if (text !== undefined) {
        entries.push({
          path: c.path,
          mode: c.mode,
          type: 'blob',
          content: text,
        });
      } else {
        const content = c.content.toString('base64');
        const blob = await this.#call(
          token,
          `writing ${c.path}`,
          async () =>
            (
              await github.rest.git.createBlob({
                ...repo,
                content,
                encoding: 'base64',
              })
            ).data.sha,
        );
        entries.push({ path: c.path, mode: c.mode, type: 'blob', sha: blob });
      }
    }
    const tree = await this.#call(
      token,
      'writing the tree',
      async () =>
        (
          await github.rest.git.createTree({
            ...repo,
            base_tree: baseTree,
            tree: entries,
          })
        ).data.sha,
    );
    const author = this.#o.author ?? DEFAULT_AUTHOR;
    const sha = await this.#call(
      token,
      'writing the commit',
      async () =>
        (
          await github.rest.git.createCommit({
            ...repo,
            message,
            tree,
            parents: [head],
            author,
          })
        ).data.sha,
    );

    if ((options.mode ?? this.mode) === 'pull-request') {
      // The branch name holds the tree's id: a re-run of the same change
      // finds its branch and its pull request instead of opening new ones.
      const prBranch = `slipway/${options.name ?? 'change'}-${tree.slice(
        0,
        8,
      )}`;
      const target: PullRequestTarget = {
        github,
        owner: this.#owner,
        repo: this.#repo,
        base: this.branch,
        fail: (e, what) => this.#fail(e, what, token),
        logger: options.logger,
      };
      const commitSha = await publishBranch(target, prBranch, sha);
      const pullRequestUrl = await openPullRequest(target, prBranch, message);
      return {
        commitSha,
        changed: true,
        branch: prBranch,
        pullRequestUrl,
        result,
      };
    }

    try {
      await github.rest.git.updateRef({
        ...repo,
        ref: `heads/${this.branch}`,
        sha,
        force: false,
      });
    } catch (e) {
      if (isRace(e)) return 'raced';
      throw withCause(
        this.#httpError(
          statusOf(e),
          `moving ${this.branch} to ${sha}: ${githubMessage(e).slice(0, 300)}`,
          token,
        ),
        e,
      );
    }
    options.logger?.info(
      `Committed ${sha} to ${this.branch} of ${this.repoUrl}`,
    );
    return { commitSha: sha, changed: true, branch: this.branch, result };
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

  #httpError(status: number | undefined, what: string, token: string): Error {
    return githubError(`helm-charts ${this.repoUrl}: ${what}`, status, token);
  }

  /** A failed call, named and classified, GitHub's words kept short. */
  #fail(e: unknown, what: string, token: string): Error {
    // Octokit's error stays as the cause: the failed request (method,
    // path, attempts) names the step's failure in the task log.
    return withCause(
      this.#httpError(
        statusOf(e),
        `${what}: ${githubMessage(e).slice(0, 300)}`,
        token,
      ),
      e,
    );
  }
}
