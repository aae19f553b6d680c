/*
 * A GitHub Enterprise-style host: the REST endpoints that publish:github,
 * Slipway's code and the GitHub Actions card use, under /api/v3, and real
 * git smart HTTP at /<owner>/<repo>.git. Token auth on both (401 without a
 * valid token). Pushes fire the repository's webhooks (loopback URLs only)
 * and the sandbox's in-process listeners (Jenkins, Argo CD).
 */

import crypto from 'node:crypto';
import http from 'node:http';
import { FaultInjector } from '../faults';
import { BareRepos, TreeChange } from '../git';
import { Ctx, HttpError, Router, sendJson, UpstreamSpec } from '../http';
import { StateFile } from '../state';
import {
  HookRecord,
  PullRecord,
  RepoRecord,
  Shapes,
  UserRecord,
  WorkflowRunRecord,
} from './shapes';
import { RefUpdate, serveGit, ZERO_SHA } from './smartHttp';

export { ZERO_SHA } from './smartHttp';
export type { RefUpdate } from './smartHttp';

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

interface GitHubState {
  nextId: number;
  users: Record<string, UserRecord>;
  repos: Record<string, RepoRecord>;
  /** Organization webhooks by lower-cased org login (absent in older state files). */
  orgHooks: Record<string, HookRecord[]>;
}

/** A webhook's settings, from a REST body or the programmatic API. */
export interface HookInput {
  url: unknown;
  contentType?: unknown;
  secret?: unknown;
  insecureSsl?: unknown;
  events?: unknown;
  active?: unknown;
}

const DOCS = 'https://docs.github.com/rest';

/** GitHub's limit on entries in one GET git/trees answer (beyond it: truncated). */
const TREE_LIMIT = 100_000;

/** The modes a tree entry of each type may have. */
const TREE_MODES: Record<string, string[]> = {
  blob: ['100644', '100755', '120000'],
  tree: ['040000'],
  commit: ['160000'],
};

/** GitHub's 422 "Validation Failed" with its `errors` list. */
class ValidationFailed extends HttpError {
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

/** The GitHub upstream and its programmatic side for seeds and pipelines. */
export class GitHubUpstream implements UpstreamSpec {
  readonly upstream = 'github' as const;
  readonly faults: FaultInjector;
  readonly repos: BareRepos;
  readonly #state: StateFile<GitHubState>;
  readonly #router = new Router();
  readonly #shapes: Shapes;
  readonly #options: GitHubOptions;
  readonly #listeners: Array<(e: PushEvent) => void | Promise<void>> = [];

  constructor(options: GitHubOptions) {
    this.#options = options;
    this.faults = options.faults;
    this.repos = options.repos;
    this.#state = new StateFile(options.dataDir, 'github', () => ({
      nextId: 1000,
      users: {},
      repos: {},
      orgHooks: {},
    }));
    // State files written before org webhooks existed load with none.
    this.#state.data.orgHooks ??= {};
    this.#shapes = new Shapes(
      () => `${options.baseUrl()}/api/v3`,
      () => options.baseUrl(),
    );
    this.#routes();
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
    const existing = this.#state.data.users[login.toLowerCase()];
    if (existing) return existing;
    return this.#state.update(s => {
      const u: UserRecord = { login, id: s.nextId++, type };
      s.users[login.toLowerCase()] = u;
      return u;
    });
  }

  getRepo(owner: string, repo: string): RepoRecord | undefined {
    return this.#state.data.repos[`${owner}/${repo}`.toLowerCase()];
  }

  /** An organization account, or undefined (unknown, or a user). */
  getOrg(login: string): UserRecord | undefined {
    const u = this.#state.data.users[login.toLowerCase()];
    return u?.type === 'Organization' ? u : undefined;
  }

  /** The organization's webhooks (with their last delivery's response). */
  listOrgWebhooks(org: string): HookRecord[] {
    return this.#state.data.orgHooks[org.toLowerCase()] ?? [];
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
    const account = this.getOrg(org);
    if (!account) throw new HttpError(404, `No organization ${org}`);
    const url = loopbackHookUrl(opts.url);
    const existing = this.listOrgWebhooks(org).find(h => h.url === url);
    if (!existing) {
      const hook = this.#addHook(s => orgHooksOf(s, account), {
        url,
        secret: opts.secret,
        events: opts.events,
      });
      return { hook, created: true };
    }
    this.#state.update(() => {
      existing.secret = opts.secret || undefined;
      if (opts.events) existing.events = [...opts.events];
      existing.active = true;
      existing.updatedAt = new Date().toISOString();
    });
    return { hook: existing, created: false };
  }

  /** Creates a repository (record + bare git repo); errors if it exists. */
  async createRepo(
    owner: string,
    name: string,
    opts: Partial<
      Pick<
        RepoRecord,
        'description' | 'private' | 'visibility' | 'homepage' | 'defaultBranch'
      >
    > & {
      deleteBranchOnMerge?: boolean;
      allowMergeCommit?: boolean;
      allowSquashMerge?: boolean;
      allowRebaseMerge?: boolean;
    } = {},
  ): Promise<RepoRecord> {
    if (!BareRepos.validName(name)) {
      throw new HttpError(
        422,
        `Repository creation failed: name '${name}' is invalid`,
      );
    }
    if (this.getRepo(owner, name)) {
      throw new HttpError(
        422,
        'Repository creation failed: name already exists on this account',
      );
    }
    await this.repos.create(owner, name, opts.defaultBranch ?? 'main');
    const now = new Date().toISOString();
    return this.#state.update(s => {
      const r: RepoRecord = {
        id: s.nextId++,
        owner,
        name,
        description: opts.description ?? null,
        homepage: opts.homepage ?? null,
        private: opts.private ?? opts.visibility !== 'public',
        visibility:
          opts.visibility ?? (opts.private === false ? 'public' : 'private'),
        defaultBranch: opts.defaultBranch ?? 'main',
        topics: [],
        createdAt: now,
        updatedAt: now,
        pushedAt: null,
        collaborators: {},
        teams: {},
        hooks: [],
        protection: {},
        runs: [],
        deleteBranchOnMerge: opts.deleteBranchOnMerge ?? false,
        allowMergeCommit: opts.allowMergeCommit ?? true,
        allowSquashMerge: opts.allowSquashMerge ?? true,
        allowRebaseMerge: opts.allowRebaseMerge ?? true,
      };
      s.repos[`${owner}/${name}`.toLowerCase()] = r;
      return r;
    });
  }

  /** Records a GitHub Actions workflow run; returns its id. */
  addWorkflowRun(
    owner: string,
    repo: string,
    run: Omit<WorkflowRunRecord, 'id' | 'runNumber'>,
  ) {
    return this.#state.update(s => {
      const r = s.repos[`${owner}/${repo}`.toLowerCase()];
      if (!r) throw new Error(`no repository ${owner}/${repo}`);
      const rec: WorkflowRunRecord = {
        ...run,
        id: s.nextId++,
        runNumber: r.runs.length + 1,
      };
      r.runs.push(rec);
      return rec.id;
    });
  }

  updateWorkflowRun(
    owner: string,
    repo: string,
    id: number,
    change: Partial<WorkflowRunRecord>,
  ) {
    this.#state.update(s => {
      const run = s.repos[`${owner}/${repo}`.toLowerCase()]?.runs.find(
        r => r.id === id,
      );
      if (run)
        Object.assign(run, change, { updatedAt: new Date().toISOString() });
    });
  }

  /** Reports a push made directly on the bare repository (seed, pipelines). */
  async notifyPush(owner: string, repo: string, updates: RefUpdate[]) {
    this.#state.update(s => {
      const r = s.repos[`${owner}/${repo}`.toLowerCase()];
      if (r) r.pushedAt = new Date().toISOString();
    });
    await this.#deliverWebhooks(owner, repo, updates);
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

  // ---- REST ----

  #login(ctx: Ctx): string {
    const header = ctx.req.headers.authorization ?? '';
    const token = header.split(' ', 2)[1] ?? '';
    return this.#options.tokens[token];
  }

  #repoOr404(ctx: Ctx): RepoRecord {
    const r = this.getRepo(ctx.params.owner, ctx.params.repo);
    if (!r) throw new HttpError(404, 'Not Found');
    return r;
  }

  #owner(r: RepoRecord) {
    return this.ensureUser(r.owner);
  }

  /** The `:org` of the path; 404 for an unknown account or a user, as GitHub. */
  #orgOr404(ctx: Ctx): UserRecord {
    const org = this.getOrg(ctx.params.org);
    if (!org) throw new HttpError(404, 'Not Found');
    return org;
  }

  /**
   * Validates a webhook (loopback URL, events) and stores its record in the
   * list `target` picks from the state: a repository's or an org's hooks.
   */
  #addHook(
    target: (s: GitHubState) => HookRecord[],
    input: HookInput,
  ): HookRecord {
    const url = loopbackHookUrl(input.url);
    const events = input.events ?? ['push'];
    if (
      !Array.isArray(events) ||
      !events.length ||
      !events.every(e => typeof e === 'string')
    ) {
      throw new HttpError(
        422,
        'Validation Failed: events must be a non-empty list of event names',
      );
    }
    const now = new Date().toISOString();
    return this.#state.update(s => {
      const h: HookRecord = {
        id: s.nextId++,
        url,
        contentType: input.contentType === 'form' ? 'form' : 'json',
        insecureSsl: String(input.insecureSsl ?? '0') === '1' ? '1' : '0',
        secret:
          typeof input.secret === 'string' && input.secret
            ? input.secret
            : undefined,
        events: [...events],
        active: input.active !== false,
        createdAt: now,
        updatedAt: now,
      };
      target(s).push(h);
      return h;
    });
  }

  #routes() {
    const R = this.#router;
    const api = '/api/v3';
    const json = sendJson;

    R.add('GET', `${api}/user`, 'users/get-authenticated', ctx => {
      json(
        ctx.res,
        200,
        this.#shapes.publicUser(this.ensureUser(this.#login(ctx))),
      );
    });
    R.add('GET', `${api}/users/:username`, 'users/get-by-username', ctx => {
      const u = this.#state.data.users[ctx.params.username.toLowerCase()];
      if (!u) throw new HttpError(404, 'Not Found');
      json(ctx.res, 200, this.#shapes.publicUser(u));
    });
    R.add('GET', `${api}/orgs/:org`, 'orgs/get', ctx => {
      json(ctx.res, 200, this.#shapes.org(this.#orgOr404(ctx)));
    });

    const create = async (ctx: Ctx, owner: string) => {
      const b = await ctx.json();
      if (typeof b.name !== 'string')
        throw new HttpError(422, 'Invalid request: name is required');
      const r = await this.createRepo(owner, b.name, {
        description: b.description ?? null,
        homepage: b.homepage ?? null,
        private: b.private,
        visibility: b.visibility,
        deleteBranchOnMerge: b.delete_branch_on_merge,
        allowMergeCommit: b.allow_merge_commit,
        allowSquashMerge: b.allow_squash_merge,
        allowRebaseMerge: b.allow_rebase_merge,
      });
      json(ctx.res, 201, this.#shapes.repo(r, this.#owner(r)));
    };
    R.add(
      'POST',
      `${api}/orgs/:org/repos`,
      'repos/create-in-org',
      async ctx => {
        await create(ctx, this.#orgOr404(ctx).login);
      },
    );
    R.add(
      'POST',
      `${api}/user/repos`,
      'repos/create-for-authenticated-user',
      ctx => create(ctx, this.#login(ctx)),
    );
    R.add('GET', `${api}/repos/:owner/:repo`, 'repos/get', ctx => {
      const r = this.#repoOr404(ctx);
      json(ctx.res, 200, this.#shapes.repo(r, this.#owner(r)));
    });
    R.add('DELETE', `${api}/repos/:owner/:repo`, 'repos/delete', ctx => {
      const r = this.#repoOr404(ctx);
      this.#state.update(s => {
        delete s.repos[`${r.owner}/${r.name}`.toLowerCase()];
      });
      this.repos.remove(r.owner, r.name);
      ctx.res.writeHead(204).end();
    });
    R.add(
      'PUT',
      `${api}/repos/:owner/:repo/topics`,
      'repos/replace-all-topics',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const { names } = await ctx.json();
        if (!Array.isArray(names))
          throw new HttpError(422, 'Invalid request: names is required');
        this.#state.update(() => {
          r.topics = names.map(String);
        });
        json(ctx.res, 200, { names: r.topics });
      },
    );
    R.add(
      'PUT',
      `${api}/repos/:owner/:repo/collaborators/:username`,
      'repos/add-collaborator',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const { permission } = await ctx.json();
        this.ensureUser(ctx.params.username);
        this.#state.update(() => {
          r.collaborators[ctx.params.username] = permission ?? 'push';
        });
        ctx.res.writeHead(204).end();
      },
    );
    R.add(
      'GET',
      `${api}/repos/:owner/:repo/collaborators`,
      'repos/list-collaborators',
      ctx => {
        const r = this.#repoOr404(ctx);
        json(
          ctx.res,
          200,
          Object.entries(r.collaborators).map(([login, role]) => ({
            ...this.#shapes.user(this.ensureUser(login)),
            role_name: role,
          })),
        );
      },
    );
    R.add(
      'PUT',
      `${api}/orgs/:org/teams/:team/repos/:owner/:repo`,
      'teams/add-or-update-repo-permissions-in-org',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const { permission } = await ctx.json();
        this.#state.update(() => {
          r.teams[ctx.params.team] = permission ?? 'push';
        });
        ctx.res.writeHead(204).end();
      },
    );

    // Branches and protection
    R.add(
      'GET',
      `${api}/repos/:owner/:repo/branches/:branch`,
      'repos/get-branch',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const sha = await this.repos.resolveIn(
          r.owner,
          r.name,
          ctx.params.branch,
        );
        const c = sha && (await this.repos.commitIn(r.owner, r.name, sha));
        if (!c) throw new HttpError(404, 'Branch not found');
        const base = `${this.#options.baseUrl()}/api/v3/repos/${r.owner}/${
          r.name
        }/branches/${ctx.params.branch}`;
        json(ctx.res, 200, {
          name: ctx.params.branch,
          commit: this.#shapes.commit(r, c),
          _links: {
            self: base,
            html: `${this.#options.baseUrl()}/${r.owner}/${r.name}/tree/${
              ctx.params.branch
            }`,
          },
          protected: ctx.params.branch in r.protection,
          protection: {
            enabled: ctx.params.branch in r.protection,
            required_status_checks: { enforcement_level: 'off', contexts: [] },
          },
          protection_url: `${base}/protection`,
        });
      },
    );
    R.add(
      'PUT',
      `${api}/repos/:owner/:repo/branches/:branch/protection`,
      'repos/update-branch-protection',
      async ctx => {
        const r = this.#repoOr404(ctx);
        if (!(await this.repos.resolveIn(r.owner, r.name, ctx.params.branch))) {
          throw new HttpError(404, 'Branch not found');
        }
        const body = await ctx.json();
        this.#state.update(() => {
          r.protection[ctx.params.branch] = body;
        });
        json(ctx.res, 200, this.#protection(r, ctx.params.branch));
      },
    );
    R.add(
      'GET',
      `${api}/repos/:owner/:repo/branches/:branch/protection`,
      'repos/get-branch-protection',
      ctx => {
        const r = this.#repoOr404(ctx);
        if (!(ctx.params.branch in r.protection))
          throw new HttpError(404, 'Branch not protected');
        json(ctx.res, 200, this.#protection(r, ctx.params.branch));
      },
    );
    R.add(
      'POST',
      `${api}/repos/:owner/:repo/branches/:branch/protection/required_signatures`,
      'repos/create-commit-signature-protection',
      ctx => {
        this.#repoOr404(ctx);
        json(ctx.res, 200, { url: ctx.url.href, enabled: true });
      },
    );

    // Refs and commits
    R.add(
      'GET',
      `${api}/repos/:owner/:repo/git/ref/*ref`,
      'git/get-ref',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const full = `refs/${ctx.params.ref}`;
        const sha = (await this.repos.refs(r.owner, r.name))[full];
        if (!sha) throw new HttpError(404, 'Not Found');
        json(ctx.res, 200, this.#shapes.ref(r, full, sha));
      },
    );
    R.add(
      'POST',
      `${api}/repos/:owner/:repo/git/refs`,
      'git/create-ref',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const { ref, sha } = await ctx.json();
        if (
          typeof ref !== 'string' ||
          !/^refs\/(heads|tags)\/[A-Za-z0-9._/-]+$/.test(ref) ||
          ref.includes('..')
        ) {
          throw new HttpError(422, 'Reference name is invalid');
        }
        const refs = await this.repos.refs(r.owner, r.name);
        if (refs[ref]) throw new HttpError(422, 'Reference already exists');
        if (!(await this.repos.commitIn(r.owner, r.name, sha)))
          throw new HttpError(422, 'Object does not exist');
        // Created only if still absent: a racing creator gets a 422.
        if (
          !(await this.repos.compareAndSwapRef(r.owner, r.name, ref, sha, ''))
        )
          throw new HttpError(422, 'Reference already exists');
        await this.notifyPush(r.owner, r.name, [
          { ref, before: ZERO_SHA, after: sha },
        ]);
        json(ctx.res, 201, this.#shapes.ref(r, ref, sha));
      },
    );
    R.add(
      'PATCH',
      `${api}/repos/:owner/:repo/git/refs/*ref`,
      'git/update-ref',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const full = `refs/${ctx.params.ref}`;
        const { sha, force } = await ctx.json();
        const before = (await this.repos.refs(r.owner, r.name))[full];
        if (!before) throw new HttpError(422, 'Reference does not exist');
        if (
          typeof sha !== 'string' ||
          (await this.repos.objectType(r.owner, r.name, sha)) !== 'commit'
        )
          throw new HttpError(422, 'Object does not exist');
        if (
          !force &&
          !(await this.repos.isAncestor(r.owner, r.name, before, sha))
        )
          throw new HttpError(422, 'Update is not a fast forward');
        // Compare-and-swap on the head read above: when another writer
        // moved the branch in between, this update is no fast-forward of it.
        if (
          !(await this.repos.compareAndSwapRef(
            r.owner,
            r.name,
            full,
            sha,
            before,
          ))
        )
          throw new HttpError(422, 'Update is not a fast forward');
        await this.notifyPush(r.owner, r.name, [
          { ref: full, before, after: sha },
        ]);
        json(ctx.res, 200, this.#shapes.ref(r, full, sha));
      },
    );

    // Git Data: commits, trees and blobs (git objects, written with git's plumbing)
    R.add(
      'GET',
      `${api}/repos/:owner/:repo/git/commits/:sha`,
      'git/get-commit',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const c = await this.repos.readCommit(r.owner, r.name, ctx.params.sha);
        if (!c) throw new HttpError(404, 'Not Found');
        json(ctx.res, 200, this.#shapes.gitCommit(r, c));
      },
    );
    R.add(
      'POST',
      `${api}/repos/:owner/:repo/git/commits`,
      'git/create-commit',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const b = await ctx.json();
        if (typeof b.message !== 'string' || typeof b.tree !== 'string')
          throw new HttpError(
            422,
            'Invalid request: message and tree are required',
          );
        const parents: unknown[] = b.parents ?? [];
        if (!Array.isArray(parents))
          throw new HttpError(422, 'Invalid request: parents must be an array');
        if ((await this.repos.objectType(r.owner, r.name, b.tree)) !== 'tree')
          throw new HttpError(422, `Tree SHA does not exist`);
        for (const p of parents) {
          if (
            typeof p !== 'string' ||
            (await this.repos.objectType(r.owner, r.name, p)) !== 'commit'
          )
            throw new HttpError(
              422,
              'Parent SHA does not exist or is not a commit object',
            );
        }
        const person = (x: any) =>
          x && typeof x.name === 'string' && typeof x.email === 'string'
            ? {
                name: x.name,
                email: x.email,
                ...(typeof x.date === 'string' ? { date: x.date } : {}),
              }
            : undefined;
        const sha = await this.repos.writeCommit(r.owner, r.name, {
          tree: b.tree,
          parents: parents as string[],
          message: b.message,
          author: person(b.author),
          committer: person(b.committer),
        });
        const c = (await this.repos.readCommit(r.owner, r.name, sha))!;
        json(ctx.res, 201, this.#shapes.gitCommit(r, c));
      },
    );
    R.add(
      'GET',
      `${api}/repos/:owner/:repo/git/trees/:sha`,
      'git/get-tree',
      async ctx => {
        const r = this.#repoOr404(ctx);
        // Like GitHub: a tree SHA, or anything naming one (commit, branch, tag).
        const tree = await this.repos.resolveTree(
          r.owner,
          r.name,
          ctx.params.sha,
        );
        if (!tree) throw new HttpError(404, 'Not Found');
        // GitHub recurses for any value of `recursive`.
        const recursive = ctx.url.searchParams.has('recursive');
        const entries = await this.repos.listTree(
          r.owner,
          r.name,
          tree,
          recursive,
        );
        const truncated = entries.length > TREE_LIMIT;
        json(
          ctx.res,
          200,
          this.#shapes.gitTree(
            r,
            tree,
            entries.slice(0, TREE_LIMIT),
            truncated,
          ),
        );
      },
    );
    R.add(
      'POST',
      `${api}/repos/:owner/:repo/git/trees`,
      'git/create-tree',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const b = await ctx.json();
        if (!Array.isArray(b.tree))
          throw new HttpError(422, 'Invalid request: tree is required');
        let base: string | undefined;
        if (b.base_tree !== undefined && b.base_tree !== null) {
          if (
            typeof b.base_tree !== 'string' ||
            (await this.repos.objectType(r.owner, r.name, b.base_tree)) !==
              'tree'
          )
            throw new HttpError(422, 'base_tree is not a valid tree oid');
          base = b.base_tree;
        }
        const changes = new Map<string, TreeChange>();
        for (const e of b.tree as any[]) {
          const p = String(e?.path ?? '');
          if (
            !p ||
            p
              .split('/')
              .some(s => s === '' || s === '.' || s === '..' || s === '.git')
          )
            throw new HttpError(422, `tree.path '${p}' is invalid`);
          const type = e.type ?? 'blob';
          if (!TREE_MODES[type]?.includes(e.mode))
            throw new HttpError(
              422,
              `tree.mode '${e.mode}' is invalid for a ${type}`,
            );
          if (e.content !== undefined && e.sha !== undefined)
            throw new HttpError(
              422,
              'Invalid request: only one of content and sha is allowed',
            );
          if (e.sha === null) {
            changes.set(p, null);
            continue;
          }
          let sha: string;
          if (typeof e.content === 'string') {
            if (type !== 'blob')
              throw new HttpError(422, 'tree.content is only for blobs');
            sha = await this.repos.writeBlob(
              r.owner,
              r.name,
              Buffer.from(e.content, 'utf8'),
            );
          } else if (typeof e.sha === 'string') {
            // Submodule entries name commits of another repository.
            if (
              type !== 'commit' &&
              (await this.repos.objectType(r.owner, r.name, e.sha)) !== type
            )
              throw new HttpError(
                422,
                `tree.sha ${e.sha} is not a valid ${type}`,
              );
            sha = e.sha;
          } else {
            throw new HttpError(
              422,
              'Invalid request: each tree entry needs sha or content',
            );
          }
          changes.set(p, { mode: e.mode, type, sha });
        }
        const tree = await this.repos.writeTree(r.owner, r.name, base, changes);
        json(
          ctx.res,
          201,
          this.#shapes.gitTree(
            r,
            tree,
            await this.repos.listTree(r.owner, r.name, tree),
          ),
        );
      },
    );
    R.add(
      'POST',
      `${api}/repos/:owner/:repo/git/blobs`,
      'git/create-blob',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const b = await ctx.json();
        const encoding = b.encoding ?? 'utf-8';
        if (typeof b.content !== 'string')
          throw new HttpError(422, 'Invalid request: content is required');
        if (
          encoding !== 'utf-8' &&
          encoding !== 'utf8' &&
          encoding !== 'base64'
        )
          throw new HttpError(
            422,
            `encoding '${encoding}' is invalid: use utf-8 or base64`,
          );
        const sha = await this.repos.writeBlob(
          r.owner,
          r.name,
          Buffer.from(b.content, encoding === 'base64' ? 'base64' : 'utf8'),
        );
        json(ctx.res, 201, this.#shapes.shortBlob(r, sha));
      },
    );
    R.add(
      'GET',
      `${api}/repos/:owner/:repo/git/blobs/:sha`,
      'git/get-blob',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const content = await this.repos.readBlob(
          r.owner,
          r.name,
          ctx.params.sha,
        );
        if (!content) throw new HttpError(404, 'Not Found');
        json(ctx.res, 200, this.#shapes.blob(r, ctx.params.sha, content));
      },
    );

    // Pull requests (open, list, get; branches of the same repository only)
    const pullShape = async (r: RepoRecord, p: PullRecord, full: boolean) => {
      const refs = await this.repos.refs(r.owner, r.name);
      return this.#shapes.pull(
        r,
        this.#owner(r),
        this.ensureUser(p.user),
        p,
        {
          head: refs[`refs/heads/${p.head}`] ?? ZERO_SHA,
          base: refs[`refs/heads/${p.base}`] ?? ZERO_SHA,
        },
        full,
      );
    };
    /** `owner:branch` or `branch` → the branch, when owner is this repository's. */
    const headBranch = (r: RepoRecord, head: string) => {
      const colon = head.indexOf(':');
      if (colon < 0) return head;
      return head.slice(0, colon).toLowerCase() === r.owner.toLowerCase()
        ? head.slice(colon + 1)
        : undefined;
    };
    R.add(
      'POST',
      `${api}/repos/:owner/:repo/pulls`,
      'pulls/create',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const b = await ctx.json();
        if (
          typeof b.title !== 'string' ||
          typeof b.head !== 'string' ||
          typeof b.base !== 'string'
        )
          throw new HttpError(
            422,
            'Invalid request: title, head and base are required',
          );
        const head = headBranch(r, b.head);
        const refs = await this.repos.refs(r.owner, r.name);
        const headSha = head && refs[`refs/heads/${head}`];
        const baseSha = refs[`refs/heads/${b.base}`];
        if (!headSha)
          throw new ValidationFailed([
            { resource: 'PullRequest', field: 'head', code: 'invalid' },
          ]);
        if (!baseSha)
          throw new ValidationFailed([
            { resource: 'PullRequest', field: 'base', code: 'invalid' },
          ]);
        if (
          (r.pulls ?? []).some(
            p => p.state === 'open' && p.head === head && p.base === b.base,
          )
        )
          throw new ValidationFailed([
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `A pull request already exists for ${r.owner}:${head}.`,
            },
          ]);
        if (await this.repos.isAncestor(r.owner, r.name, headSha, baseSha))
          throw new ValidationFailed([
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `No commits between ${b.base} and ${head}`,
            },
          ]);
        const now = new Date().toISOString();
        const pull = this.#state.update(s => {
          const rec = s.repos[`${r.owner}/${r.name}`.toLowerCase()];
          rec.pulls ??= [];
          const p: PullRecord = {
            id: s.nextId++,
            number: rec.pulls.length + 1,
            title: b.title,
            body: typeof b.body === 'string' ? b.body : null,
            head: head!,
            base: b.base,
            state: 'open',
            draft: b.draft === true,
            user: this.#login(ctx),
            createdAt: now,
            updatedAt: now,
          };
          rec.pulls.push(p);
          return p;
        });
        json(ctx.res, 201, await pullShape(r, pull, true));
      },
    );
    R.add('GET', `${api}/repos/:owner/:repo/pulls`, 'pulls/list', async ctx => {
      const r = this.#repoOr404(ctx);
      const q = ctx.url.searchParams;
      const state = q.get('state') ?? 'open';
      const head = q.get('head');
      const base = q.get('base');
      const want = head === null ? undefined : headBranch(r, head);
      const perPage = Math.min(100, Number(q.get('per_page') ?? 30));
      const pulls = [...(r.pulls ?? [])]
        .reverse()
        .filter(p => state === 'all' || p.state === state)
        .filter(p => head === null || p.head === want)
        .filter(p => base === null || p.base === base)
        .slice(0, perPage);
      json(
        ctx.res,
        200,
        await Promise.all(pulls.map(p => pullShape(r, p, false))),
      );
    });
    R.add(
      'GET',
      `${api}/repos/:owner/:repo/pulls/:number`,
      'pulls/get',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const p = (r.pulls ?? []).find(
          x => String(x.number) === ctx.params.number,
        );
        if (!p) throw new HttpError(404, 'Not Found');
        json(ctx.res, 200, await pullShape(r, p, true));
      },
    );
    R.add(
      'GET',
      `${api}/repos/:owner/:repo/commits`,
      'repos/list-commits',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const q = ctx.url.searchParams;
        const ref = q.get('sha') || r.defaultBranch;
        const date = (name: string) => {
          const v = q.get(name);
          if (!v) return undefined;
          const d = new Date(v);
          if (Number.isNaN(d.getTime()))
            throw new HttpError(400, `Invalid ${name}: '${v}' is not a date`);
          return d;
        };
        const commits = await this.repos.log(
          r.owner,
          r.name,
          ref,
          perPageOf(q),
          {
            path: q.get('path') || undefined,
            since: date('since'),
            until: date('until'),
          },
        );
        // The listed SHAs decide the answer (commits never change), so the
        // ETag is taken over them.
        const etag = etagOf(commits.map(c => c.sha));
        if (notModified(ctx, etag)) return;
        const body = commits.map(c => this.#shapes.commit(r, c));
        json(ctx.res, 200, body, { etag });
      },
    );
    R.add(
      'GET',
      `${api}/repos/:owner/:repo/commits/:ref`,
      'repos/get-commit',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const sha = await this.repos.resolveIn(r.owner, r.name, ctx.params.ref);
        const c = sha && (await this.repos.commitIn(r.owner, r.name, sha));
        if (!c)
          throw new HttpError(
            422,
            `No commit found for SHA: ${ctx.params.ref}`,
          );
        json(ctx.res, 200, {
          ...this.#shapes.commit(r, c),
          files: [],
          stats: { additions: 0, deletions: 0, total: 0 },
        });
      },
    );

    // Contents
    R.add(
      'GET',
      `${api}/repos/:owner/:repo/contents/*path`,
      'repos/get-content',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const ref = ctx.url.searchParams.get('ref') ?? r.defaultBranch;
        const sha = await this.repos.resolveIn(r.owner, r.name, ref);
        const text =
          sha &&
          (await this.repos.readFileIn(r.owner, r.name, sha, ctx.params.path));
        if (!sha || text === undefined) throw new HttpError(404, 'Not Found');
        // `Accept: application/vnd.github.raw` (as Backstage's URL reader
        // asks) gets the file itself, with the blob SHA as ETag.
        if (
          /vnd\.github(\.v3)?\.raw/.test(String(ctx.req.headers.accept ?? ''))
        ) {
          const body = Buffer.from(text);
          const etag = `"${
            this.#shapes.content(r, ctx.params.path, body, ref).sha
          }"`;
          if (notModified(ctx, etag)) return;
          ctx.res.writeHead(200, {
            'content-type': 'application/vnd.github.raw; charset=utf-8',
            'content-length': body.length,
            etag,
          });
          ctx.res.end(body);
          return;
        }
        json(
          ctx.res,
          200,
          this.#shapes.content(r, ctx.params.path, Buffer.from(text), ref),
        );
      },
    );
    R.add(
      'PUT',
      `${api}/repos/:owner/:repo/contents/*path`,
      'repos/create-or-update-file-contents',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const b = await ctx.json();
        if (typeof b.message !== 'string' || typeof b.content !== 'string') {
          throw new HttpError(
            422,
            'Invalid request: message and content are required',
          );
        }
        const branch = b.branch ?? r.defaultBranch;
        const head = await this.repos.resolveIn(r.owner, r.name, branch);
        const current = head
          ? await this.repos.readFileIn(r.owner, r.name, head, ctx.params.path)
          : undefined;
        if (current !== undefined && !b.sha) {
          throw new HttpError(422, `Invalid request: "sha" wasn't supplied.`);
        }
        const content = Buffer.from(b.content, 'base64');
        const { sha, parent } = await this.repos
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
        await this.notifyPush(r.owner, r.name, [
          {
            ref: `refs/heads/${branch}`,
            before: parent ?? ZERO_SHA,
            after: sha,
          },
        ]);
        const c = (await this.repos.commitIn(r.owner, r.name, sha))!;
        json(ctx.res, current !== undefined ? 200 : 201, {
          content: this.#shapes.content(r, ctx.params.path, content, branch),
          commit: this.#shapes.commit(r, c).commit,
        });
      },
    );

    // Webhooks: a repository's, and an organization's (which hear the
    // events of every repository of the org).
    R.add(
      'POST',
      `${api}/repos/:owner/:repo/hooks`,
      'repos/create-webhook',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const hook = this.#addHook(
          () => r.hooks,
          hookInputOf(await ctx.json()),
        );
        json(ctx.res, 201, this.#shapes.hook(r, hook));
      },
    );
    R.add(
      'GET',
      `${api}/repos/:owner/:repo/hooks`,
      'repos/list-webhooks',
      ctx => {
        const r = this.#repoOr404(ctx);
        json(
          ctx.res,
          200,
          r.hooks.map(h => this.#shapes.hook(r, h)),
        );
      },
    );
    R.add(
      'DELETE',
      `${api}/repos/:owner/:repo/hooks/:id`,
      'repos/delete-webhook',
      ctx => {
        const r = this.#repoOr404(ctx);
        const before = r.hooks.length;
        this.#state.update(() => {
          r.hooks = r.hooks.filter(h => String(h.id) !== ctx.params.id);
        });
        if (r.hooks.length === before) throw new HttpError(404, 'Not Found');
        ctx.res.writeHead(204).end();
      },
    );
    R.add(
      'POST',
      `${api}/orgs/:org/hooks`,
      'orgs/create-webhook',
      async ctx => {
        const org = this.#orgOr404(ctx);
        const b = await ctx.json();
        if (b.name !== 'web') {
          throw new HttpError(422, "Validation Failed: name must be 'web'");
        }
        const hook = this.#addHook(s => orgHooksOf(s, org), hookInputOf(b));
        json(ctx.res, 201, this.#shapes.orgHook(org, hook));
      },
    );
    R.add('GET', `${api}/orgs/:org/hooks`, 'orgs/list-webhooks', ctx => {
      const org = this.#orgOr404(ctx);
      json(
        ctx.res,
        200,
        this.listOrgWebhooks(org.login).map(h => this.#shapes.orgHook(org, h)),
      );
    });
    R.add('GET', `${api}/orgs/:org/hooks/:hook_id`, 'orgs/get-webhook', ctx => {
      const org = this.#orgOr404(ctx);
      const hook = this.listOrgWebhooks(org.login).find(
        h => String(h.id) === ctx.params.hook_id,
      );
      if (!hook) throw new HttpError(404, 'Not Found');
      json(ctx.res, 200, this.#shapes.orgHook(org, hook));
    });
    R.add(
      'DELETE',
      `${api}/orgs/:org/hooks/:hook_id`,
      'orgs/delete-webhook',
      ctx => {
        const org = this.#orgOr404(ctx);
        const removed = this.#state.update(s => {
          const hooks = orgHooksOf(s, org);
          const i = hooks.findIndex(h => String(h.id) === ctx.params.hook_id);
          return i >= 0 && hooks.splice(i, 1).length === 1;
        });
        if (!removed) throw new HttpError(404, 'Not Found');
        ctx.res.writeHead(204).end();
      },
    );

    // GitHub Actions
    R.add(
      'GET',
      `${api}/repos/:owner/:repo/actions/runs`,
      'actions/list-workflow-runs-for-repo',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const q = ctx.url.searchParams;
        let runs = [...r.runs].reverse();
        if (q.get('head_sha'))
          runs = runs.filter(x => x.headSha === q.get('head_sha'));
        if (q.get('branch'))
          runs = runs.filter(x => x.headBranch === q.get('branch'));
        if (q.get('status'))
          runs = runs.filter(
            x =>
              x.status === q.get('status') || x.conclusion === q.get('status'),
          );
        const page = runs.slice(0, perPageOf(q));
        const etag = etagOf(page);
        if (notModified(ctx, etag)) return;
        const body = {
          total_count: runs.length,
          workflow_runs: await Promise.all(
            page.map(async run =>
              this.#shapes.workflowRun(
                r,
                this.#owner(r),
                run,
                await this.repos.commitIn(r.owner, r.name, run.headSha),
              ),
            ),
          ),
        };
        json(ctx.res, 200, body, { etag });
      },
    );
    R.add(
      'GET',
      `${api}/repos/:owner/:repo/actions/runs/:id`,
      'actions/get-workflow-run',
      async ctx => {
        const r = this.#repoOr404(ctx);
        const run = r.runs.find(x => String(x.id) === ctx.params.id);
        if (!run) throw new HttpError(404, 'Not Found');
        json(
          ctx.res,
          200,
          this.#shapes.workflowRun(
            r,
            this.#owner(r),
            run,
            await this.repos.commitIn(r.owner, r.name, run.headSha),
          ),
        );
      },
    );
  }

  #protection(r: RepoRecord, branch: string) {
    const url = `${this.#options.baseUrl()}/api/v3/repos/${r.owner}/${
      r.name
    }/branches/${branch}/protection`;
    const p = r.protection[branch] as Record<string, any>;
    return {
      url,
      required_status_checks: p?.required_status_checks
        ? {
            url: `${url}/required_status_checks`,
            strict: !!p.required_status_checks.strict,
            contexts: p.required_status_checks.contexts ?? [],
            contexts_url: `${url}/required_status_checks/contexts`,
          }
        : undefined,
      enforce_admins: {
        url: `${url}/enforce_admins`,
        enabled: !!p?.enforce_admins,
      },
      required_pull_request_reviews: p?.required_pull_request_reviews
        ? {
            url: `${url}/required_pull_request_reviews`,
            dismiss_stale_reviews:
              !!p.required_pull_request_reviews.dismiss_stale_reviews,
            require_code_owner_reviews:
              !!p.required_pull_request_reviews.require_code_owner_reviews,
            required_approving_review_count:
              p.required_pull_request_reviews.required_approving_review_count ??
              1,
          }
        : undefined,
      allow_force_pushes: { enabled: !!p?.allow_force_pushes },
      allow_deletions: { enabled: !!p?.allow_deletions },
    };
  }

  async #deliverWebhooks(owner: string, repo: string, updates: RefUpdate[]) {
    const r = this.getRepo(owner, repo);
    if (!r) return;
    const hears = (h: HookRecord) =>
      h.active && (h.events.includes('push') || h.events.includes('*'));
    const account = this.#owner(r);
    const org = account.type === 'Organization' ? account : undefined;
    // GitHub sends an org's hooks the same push payload as the repository's.
    const targets = [
      ...r.hooks
        .filter(hears)
        .map(h => ({ h, type: 'repository', targetId: r.id })),
      ...(org ? this.listOrgWebhooks(org.login) : [])
        .filter(hears)
        .map(h => ({ h, type: 'organization', targetId: org!.id })),
    ];
    if (!targets.length) return;
    for (const u of updates) {
      const head =
        u.after !== ZERO_SHA
          ? await this.repos.commitIn(owner, repo, u.after)
          : undefined;
      const payload = JSON.stringify({
        ref: u.ref,
        before: u.before,
        after: u.after,
        created: u.before === ZERO_SHA,
        deleted: u.after === ZERO_SHA,
        forced: false,
        repository: this.#shapes.repo(r, account),
        ...(org ? { organization: this.#shapes.orgSimple(org) } : {}),
        head_commit: head
          ? {
              id: head.sha,
              message: head.message,
              timestamp: head.date,
              author: { name: head.author, email: head.email },
            }
          : null,
        pusher: { name: 'sandbox' },
      });
      for (const { h, type, targetId } of targets) {
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-github-delivery': crypto.randomUUID(),
          'x-github-hook-id': String(h.id),
          'x-github-hook-installation-target-type': type,
          'x-github-hook-installation-target-id': String(targetId),
        };
        if (h.secret) {
          headers['x-hub-signature-256'] = `sha256=${crypto
            .createHmac('sha256', h.secret)
            .update(payload)
            .digest('hex')}`;
        }
        const code = await postLoopback(h.url, payload, headers);
        this.#state.update(() => {
          h.lastResponse = {
            code,
            status: code && code < 300 ? 'active' : 'failed',
            message: null,
          };
        });
      }
    }
  }
}

/** The org's webhook list in the state, made on first use. */
function orgHooksOf(s: GitHubState, org: UserRecord): HookRecord[] {
  return (s.orgHooks[org.login.toLowerCase()] ??= []);
}

/** A webhook's settings from a REST body (`config`, `events`, `active`). */
function hookInputOf(b: any): HookInput {
  return {
    url: b?.config?.url,
    contentType: b?.config?.content_type,
    secret: b?.config?.secret,
    insecureSsl: b?.config?.insecure_ssl,
    events: b?.events,
    active: b?.active,
  };
}

/**
 * A webhook URL the sandbox may post to: http on a loopback host only, since
 * the sandbox never sends traffic off this machine. 422 otherwise.
 */
function loopbackHookUrl(url: unknown): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(String(url));
  } catch {
    parsed = undefined;
  }
  if (
    !parsed ||
    parsed.protocol !== 'http:' ||
    !['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)
  ) {
    throw new HttpError(
      422,
      'Validation Failed: config.url must be a loopback http URL in the sandbox',
    );
  }
  return parsed.href;
}

/** GitHub's `per_page`: default 30, at most 100. */
function perPageOf(q: URLSearchParams): number {
  const n = Number(q.get('per_page') ?? 30);
  return Number.isInteger(n) && n >= 1 ? Math.min(100, n) : 30;
}

/** A strong ETag over a value (the records an answer is made from). */
function etagOf(value: unknown): string {
  return `"${crypto
    .createHash('sha1')
    .update(JSON.stringify(value))
    .digest('hex')}"`;
}

/**
 * Answers 304 (with the ETag, no body) when the request's If-None-Match
 * names `etag` (weak or strong, in a list, or `*`); true when it did.
 */
function notModified(ctx: Ctx, etag: string): boolean {
  const header = ctx.req.headers['if-none-match'];
  if (!header) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  const match = header
    .split(',')
    .some(t => t.trim() === '*' || bare(t) === bare(etag));
  if (match) ctx.res.writeHead(304, { etag }).end();
  return match;
}

function postLoopback(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<number | null> {
  return new Promise(resolve => {
    const req = http.request(
      url,
      { method: 'POST', headers, agent: false, timeout: 5000 },
      res => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? null));
      },
    );
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}
