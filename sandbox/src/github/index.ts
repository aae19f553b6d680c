/*
 * A GitHub Enterprise-style host: the REST endpoints that publish:github,
 * Slipway's code and the GitHub Actions card use, under /api/v3, and real
 * git smart HTTP at /<owner>/<repo>.git. Token auth on both (401 without a
 * valid token). Pushes fire the repository's webhooks (loopback URLs only)
 * and the sandbox's in-process listeners (Jenkins, Argo CD).
 *
 * This module is the upstream itself and its programmatic API; the records
 * are in store.ts, the REST routes in routes/ (one module per resource),
 * the response shapes in shapes/, webhook deliveries in webhooks.ts and git
 * over HTTP in smartHttp.ts.
 */

import http from 'node:http';
import { FaultInjector } from '../faults';
import { BareRepos } from '../git';
import { Ctx, HttpError, Router, sendJson, UpstreamSpec } from '../http';
import {
  HookRecord,
  RepoRecord,
  UserRecord,
  WorkflowRunRecord,
} from './records';
import { registerAccountRoutes } from './routes/accounts';
import { registerActionRoutes } from './routes/actions';
import { registerBranchRoutes } from './routes/branches';
import { registerCommitRoutes } from './routes/commits';
import { registerContentRoutes } from './routes/contents';
import { RouteContext, ValidationFailed } from './routes/context';
import { registerGitDataRoutes } from './routes/gitData';
import { registerHookRoutes } from './routes/hooks';
import { registerPullMergeRoutes } from './routes/pullMerge';
import { registerPullRoutes } from './routes/pulls';
import { registerRepoRoutes } from './routes/repos';
import { createShapes, Shapes } from './shapes';
import { RefUpdate, serveGit } from './smartHttp';
import { GitHubStore, NewRepoOptions } from './store';
import { deliverPushWebhooks } from './webhooks';

export { ZERO_SHA } from './smartHttp';
export type { RefUpdate } from './smartHttp';
export type { HookInput } from './store';

/** A push, as listeners inside the sandbox see it. */
export interface PushEvent {
  owner: string;
  repo: string;
  updates: RefUpdate[];
}

export interface GitHubOptions {
  dataDir: string;
  faults: FaultInjector;
  repos: BareRepos;
  /** Base URL clients use, e.g. http://localhost:7071 (set once listening). */
  baseUrl: () => string;
  /** Accepted tokens, mapped to the login they act as. */
  tokens: Record<string, string>;
}

const DOCS = 'https://docs.github.com/rest';

/** The GitHub upstream and its programmatic side for seeds and pipelines. */
export class GitHubUpstream implements UpstreamSpec {
  readonly upstream = 'github' as const;
  readonly faults: FaultInjector;
  readonly repos: BareRepos;
  readonly #store: GitHubStore;
  readonly #router = new Router();
  readonly #shapes: Shapes;
  readonly #options: GitHubOptions;
  readonly #listeners: Array<(e: PushEvent) => void | Promise<void>> = [];

  constructor(options: GitHubOptions) {
    this.#options = options;
    this.faults = options.faults;
    this.repos = options.repos;
    this.#store = new GitHubStore(options.dataDir, options.repos);
    this.#shapes = createShapes({
      api: () => `${options.baseUrl()}/api/v3`,
      web: () => options.baseUrl(),
    });
    const routes: RouteContext = {
      store: this.#store,
      repos: this.repos,
      shapes: this.#shapes,
      login: ctx => this.#login(ctx),
      notifyPush: (owner, repo, updates) =>
        this.notifyPush(owner, repo, updates),
    };
    // In this order: the router answers with the first route that matches.
    registerAccountRoutes(this.#router, routes);
    registerRepoRoutes(this.#router, routes);
    registerBranchRoutes(this.#router, routes);
    registerGitDataRoutes(this.#router, routes);
    registerPullRoutes(this.#router, routes);
    registerPullMergeRoutes(this.#router, routes);
    registerCommitRoutes(this.#router, routes);
    registerContentRoutes(this.#router, routes);
    registerHookRoutes(this.#router, routes);
    registerActionRoutes(this.#router, routes);
  }

  // ---- programmatic API (seed, pipelines, tests) ----

  /** Adds a listener called after every push that changed refs. */
  onPush(listener: (e: PushEvent) => void | Promise<void>) {
    this.#listeners.push(listener);
  }

  ensureUser(
    login: string,
    type: 'User' | 'Organization' = 'User',
  ): UserRecord {
    return this.#store.ensureUser(login, type);
  }

  getRepo(owner: string, repo: string): RepoRecord | undefined {
    return this.#store.getRepo(owner, repo);
  }

  /** An organization account, or undefined (unknown, or a user). */
  getOrg(login: string): UserRecord | undefined {
    return this.#store.getOrg(login);
  }

  /** The organization's webhooks (with their last delivery's response). */
  listOrgWebhooks(org: string): HookRecord[] {
    return this.#store.listOrgWebhooks(org);
  }

  /**
   * Makes sure the organization has one active webhook posting to `url`
   * (loopback only) for `events` (default push): creates it, or updates the
   * secret and events of the one already there. Idempotent by URL.
   */
  ensureOrgWebhook(
    org: string,
    opts: { url: string; secret?: string; events?: string[] },
  ): { hook: HookRecord; created: boolean } {
    return this.#store.ensureOrgWebhook(org, opts);
  }

  /** Creates a repository (record + bare git repo); errors if it exists. */
  createRepo(
    owner: string,
    name: string,
    opts: NewRepoOptions = {},
  ): Promise<RepoRecord> {
    return this.#store.createRepo(owner, name, opts);
  }

  /** Records a GitHub Actions workflow run; returns its id. */
  addWorkflowRun(
    owner: string,
    repo: string,
    run: Omit<WorkflowRunRecord, 'id' | 'runNumber'>,
  ) {
    return this.#store.addWorkflowRun(owner, repo, run);
  }

  updateWorkflowRun(
    owner: string,
    repo: string,
    id: number,
    change: Partial<WorkflowRunRecord>,
  ) {
    this.#store.updateWorkflowRun(owner, repo, id, change);
  }

  /** Reports a push made directly on the bare repository (seed, pipelines). */
  async notifyPush(owner: string, repo: string, updates: RefUpdate[]) {
    this.#store.markPushed(owner, repo);
    await deliverPushWebhooks(
      { store: this.#store, shapes: this.#shapes },
      owner,
      repo,
      updates,
    );
    for (const l of this.#listeners) {
      try {
        await l({ owner, repo, updates });
      } catch (e) {
        process.stderr.write(`[sandbox] push listener failed: ${String(e)}\n`);
      }
    }
  }

  // ---- UpstreamSpec ----

  resolve(req: http.IncomingMessage, url: URL) {
    const smart =
      /^\/([^/]+)\/([^/]+?)\.git\/(info\/refs|git-upload-pack|git-receive-pack)$/.exec(
        url.pathname,
      );
    if (smart) {
      const [, owner, repo, rest] = smart;
      const service =
        rest === 'info/refs' ? url.searchParams.get('service') ?? 'dumb' : rest;
      return {
        operation: `git ${service}`,
        params: { owner, repo, rest },
        handler: (ctx: Ctx) =>
          serveGit(ctx, this.repos, owner, repo, rest, updates =>
            this.notifyPush(owner, repo, updates),
          ),
      };
    }
    return this.#router.match(req.method ?? 'GET', url.pathname);
  }

  authenticate(ctx: Ctx) {
    const header = ctx.req.headers.authorization ?? '';
    let token: string | undefined;
    const [scheme, value] = header.split(' ', 2);
    if (/^(token|bearer)$/i.test(scheme)) token = value;
    if (/^basic$/i.test(scheme) && value) {
      // git over HTTP: any user name, the token as password (x-access-token:<token>).
      token = Buffer.from(value, 'base64')
        .toString('utf8')
        .split(':')
        .slice(1)
        .join(':');
    }
    if (!token || !(token in this.#options.tokens)) {
      if (
        ctx.url.pathname.endsWith('.git/info/refs') ||
        ctx.url.pathname.includes('.git/git-')
      ) {
        ctx.res.setHeader('www-authenticate', 'Basic realm="GitHub"');
      }
      throw new HttpError(401, 'Bad credentials');
    }
  }

  renderError(ctx: Ctx, err: HttpError) {
    if (err.status === 401 && ctx.res.getHeader('www-authenticate')) {
      ctx.res.writeHead(401, { 'content-type': 'text/plain' });
      ctx.res.end('Authentication required\n');
      return;
    }
    sendJson(ctx.res, err.status, {
      message: err.message,
      ...(err instanceof ValidationFailed ? { errors: err.errors } : {}),
      documentation_url: DOCS,
      status: String(err.status),
    });
  }

  /** The login a REST request's token acts as. */
  #login(ctx: Ctx): string {
    const header = ctx.req.headers.authorization ?? '';
    const token = header.split(' ', 2)[1] ?? '';
    return this.#options.tokens[token];
  }
}
