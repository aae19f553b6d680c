/*
 * A service's app repository on GitHub, made re-run safe. The repository is
 * created with GitHub's own first commit (auto_init, so the Git Data API
 * works on it) and a topic naming the task that created it; the initial
 * content is one parentless commit whose author and committer dates are
 * fixed by the caller, so every attempt of a task writes the same commit
 * (same SHA); the default branch is moved to it only from GitHub's first
 * commit, or is already there. Settings and branch protection are PUT/PATCH
 * calls that set the same state however often they run.
 */

import { ConflictError, InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import {
  gitDataClient,
  GitDataClient,
  githubApiBaseUrl,
  githubError,
  githubMessage,
  statusOf,
} from '../gitops/gitData';
import { withCause } from '../retry/failures';

/** What the repository must look like. @public */
export interface AppRepositorySpec {
  owner: string;
  repo: string;
  description?: string;
  visibility: 'private' | 'internal' | 'public';
  defaultBranch: string;
  deleteBranchOnMerge: boolean;
  protectDefaultBranch: boolean;
}

/** The repository's first content. @public */
export interface InitialCommit {
  files: Array<{ path: string; content: Buffer; executable?: boolean }>;
  message: string;
  author: { name: string; email: string };
  /** ISO time, the same on every attempt (the caller checkpoints it): the commit's SHA is then the same too. */
  date: string;
}

/** An existing repository, as far as the claim rules need it. @public */
export interface ExistingRepository {
  htmlUrl: string;
  topics: string[];
}

const TASK_TOPIC = 'slipway-task-';

/**
 * The topic that names the task that created a repository (GitHub topics:
 * lowercase letters, digits and '-', at most 50 characters).
 *
 * @public
 */
export function taskTopic(taskId: string): string {
  return `${TASK_TOPIC}${taskId
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 50 - TASK_TOPIC.length)}`;
}

/** The message of GitHub's own first commit (auto_init). */
const AUTO_INIT_MESSAGE = 'Initial commit';

/**
 * Creates and fills a service's app repository on one GitHub host, each
 * step safe to repeat.
 *
 * @public
 */
export class AppRepositories {
  readonly #apiBaseUrl: string;
  readonly #host: string;
  readonly #credentials: GithubCredentialsProvider;
  readonly #fetch?: typeof fetch;

  /** The repositories of `host`, with `integrations.github`'s credentials. */
  static forHost(
    integrations: ScmIntegrations,
    host: string,
    options: { fetch?: typeof fetch } = {},
  ): AppRepositories {
    const integration = integrations.github.byHost(host);
    if (!integration) {
      throw new InputError(
        `No integrations.github entry for ${host}: Slipway creates repositories only on configured GitHub hosts`,
      );
    }
    return new AppRepositories({
      host,
      apiBaseUrl: githubApiBaseUrl(integration.config),
      credentials:
        DefaultGithubCredentialsProvider.fromIntegrations(integrations),
      fetch: options.fetch,
    });
  }

  constructor(options: {
    host: string;
    apiBaseUrl: string;
    credentials: GithubCredentialsProvider;
    fetch?: typeof fetch;
  }) {
    this.#host = options.host;
    this.#apiBaseUrl = options.apiBaseUrl;
    this.#credentials = options.credentials;
    this.#fetch = options.fetch;
  }

  /** The repository, or undefined when it does not exist. */
  async get(
    owner: string,
    repo: string,
  ): Promise<ExistingRepository | undefined> {
    return this.#with(
      owner,
      repo,
      async github => {
        try {
          const { data } = await github.rest.repos.get({ owner, repo });
          return { htmlUrl: data.html_url, topics: data.topics ?? [] };
        } catch (e) {
          if (statusOf(e) === 404) return undefined;
          throw e;
        }
      },
      'reading the repository',
    );
  }

  /**
   * Creates the repository (with GitHub's first commit) in the org, or for
   * the authenticated user when `owner` is not an org, and names the task
   * in its topics.
   */
  async create(
    spec: AppRepositorySpec,
    topics: string[],
  ): Promise<ExistingRepository> {
    const { owner, repo } = spec;
    return this.#with(
      owner,
      repo,
      async github => {
        const body = {
          name: repo,
          description: spec.description,
          private: spec.visibility !== 'public',
          // GitHub takes 'internal' in enterprise orgs; Octokit's types name
          // only 'public' and 'private'.
          visibility: spec.visibility as 'public' | 'private',
          auto_init: true,
          delete_branch_on_merge: spec.deleteBranchOnMerge,
        };
        const { data } = await github.rest.repos
          .createInOrg({ org: owner, ...body })
          .catch(async e => {
            if (statusOf(e) !== 404) throw e;
            return github.rest.repos.createForAuthenticatedUser(body);
          });
        await github.rest.repos.replaceAllTopics({
          owner,
          repo,
          names: topics,
        });
        return { htmlUrl: data.html_url, topics };
      },
      'creating the repository',
    );
  }

  /**
   * Puts the initial content on the default branch as one parentless
   * commit: creates it (the same SHA on every attempt), then points the
   * branch at it when the branch is missing or holds only GitHub's first
   * commit. When the branch holds anything else it is left alone: with
   * `keepHistory` (an adopted repository) the answer is its head and
   * `kept: true`; otherwise a ConflictError, and nothing changed.
   */
  async pushInitial(
    spec: AppRepositorySpec,
    commit: InitialCommit,
    options: { keepHistory?: boolean } = {},
  ): Promise<{ commitSha: string; pushed: boolean; kept?: boolean }> {
    const { owner, repo, defaultBranch: branch } = spec;
    return this.#with(
      owner,
      repo,
      async github => {
        const tree = await Promise.all(
          [...commit.files]
            .sort((a, b) => a.path.localeCompare(b.path))
            .map(async f => ({
              path: f.path,
              mode: (f.executable ? '100755' : '100644') as '100755' | '100644',
              type: 'blob' as const,
              sha: (
                await github.rest.git.createBlob({
                  owner,
                  repo,
                  content: f.content.toString('base64'),
                  encoding: 'base64',
                })
              ).data.sha,
            })),
        );
        const treeSha = (
          await github.rest.git.createTree({ owner, repo, tree })
        ).data.sha;
        const person = { ...commit.author, date: commit.date };
        const commitSha = (
          await github.rest.git.createCommit({
            owner,
            repo,
            message: commit.message,
            tree: treeSha,
            parents: [],
            author: person,
            committer: person,
          })
        ).data.sha;

        const head = await github.rest.git
          .getRef({ owner, repo, ref: `heads/${branch}` })
          .then(r => r.data.object.sha)
          .catch(e => {
            if (statusOf(e) === 404) return undefined;
            throw e;
          });
        if (head === commitSha) return { commitSha, pushed: false };
        if (head === undefined) {
          await github.rest.git.createRef({
            owner,
            repo,
            ref: `refs/heads/${branch}`,
            sha: commitSha,
          });
          return { commitSha, pushed: true };
        }
        const current = (
          await github.rest.git.getCommit({ owner, repo, commit_sha: head })
        ).data;
        if (
          current.parents.length > 0 ||
          current.message !== AUTO_INIT_MESSAGE
        ) {
          if (options.keepHistory) {
            return { commitSha: head, pushed: false, kept: true };
          }
          throw new ConflictError(
            `${owner}/${repo}'s ${branch} holds commits this run did not write (head ${head.slice(
              0,
              7,
            )}); Slipway does not overwrite them. Remove the repository or choose another name, then Retry.`,
          );
        }
        // Only GitHub's own first commit is replaced.
        await github.rest.git.updateRef({
          owner,
          repo,
          ref: `heads/${branch}`,
          sha: commitSha,
          force: true,
        });
        return { commitSha, pushed: true };
      },
      'pushing the initial content',
    );
  }

  /** A file's text on the default branch; undefined when it is not there. */
  async readFile(
    spec: AppRepositorySpec,
    path: string,
  ): Promise<string | undefined> {
    const { owner, repo } = spec;
    return this.#with(
      owner,
      repo,
      async github => {
        try {
          const { data } = await github.rest.repos.getContent({
            owner,
            repo,
            path,
            ref: spec.defaultBranch,
          });
          return 'content' in data && typeof data.content === 'string'
            ? Buffer.from(data.content, 'base64').toString('utf8')
            : undefined;
        } catch (e) {
          if (statusOf(e) === 404) return undefined;
          throw e;
        }
      },
      `reading ${path}`,
    );
  }

  /** Sets the description, merge settings and default-branch protection. */
  async applySettings(spec: AppRepositorySpec): Promise<void> {
    const { owner, repo } = spec;
    await this.#with(
      owner,
      repo,
      async github => {
        await github.rest.repos.update({
          owner,
          repo,
          description: spec.description,
          delete_branch_on_merge: spec.deleteBranchOnMerge,
        });
        if (spec.protectDefaultBranch) {
          await github.rest.repos.updateBranchProtection({
            owner,
            repo,
            branch: spec.defaultBranch,
            required_status_checks: null,
            enforce_admins: true,
            required_pull_request_reviews: {
              required_approving_review_count: 1,
            },
            restrictions: null,
          });
        }
      },
      'applying settings and branch protection',
    );
  }

  /** One step with a client for the repository; failures named, classified, redacted. */
  async #with<R>(
    owner: string,
    repo: string,
    fn: (github: GitDataClient) => Promise<R>,
    what: string,
  ): Promise<R> {
    const url = `https://${this.#host}/${owner}/${repo}`;
    const { token } = await this.#credentials.getCredentials({ url });
    if (!token) {
      throw new InputError(
        `No GitHub credentials for ${url}: configure a token or a GitHub App under integrations.github`,
      );
    }
    const github = gitDataClient({
      token,
      apiBaseUrl: this.#apiBaseUrl,
      fetch: this.#fetch,
    });
    try {
      return await fn(github);
    } catch (e) {
      if (statusOf(e) === undefined) throw e;
      // Octokit's error stays as the cause: the failed request (method,
      // path, attempts) names the step's failure in the task log.
      throw withCause(
        githubError(
          `GitHub ${owner}/${repo}: ${what}: ${githubMessage(e).slice(0, 300)}`,
          statusOf(e),
          token,
        ),
        e,
      );
    }
  }
}
