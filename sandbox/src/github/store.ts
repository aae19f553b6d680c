/*
 * The GitHub stand-in's records and the operations both its REST routes and
 * its programmatic API (seeds, pipelines, tests) make on them: accounts,
 * repositories, workflow runs and webhooks, in the sandbox's state file
 * (github.json) beside the bare git repositories.
 */

import { BareRepos } from '../git';
import { HttpError } from '../http';
import { StateFile } from '../state';
import {
  GitHubState,
  HookRecord,
  RepoRecord,
  UserRecord,
  WorkflowRunRecord,
} from './records';

/** A webhook's settings, from a REST body or the programmatic API. */
export interface HookInput {
  url: unknown;
  contentType?: unknown;
  secret?: unknown;
  insecureSsl?: unknown;
  events?: unknown;
  active?: unknown;
}

/** The settings a new repository may be given (the rest take GitHub's defaults). */
export type NewRepoOptions = Partial<
  Pick<
    RepoRecord,
    'description' | 'private' | 'visibility' | 'homepage' | 'defaultBranch'
  >
> & {
  deleteBranchOnMerge?: boolean;
  allowMergeCommit?: boolean;
  allowSquashMerge?: boolean;
  allowRebaseMerge?: boolean;
};

/** The state file's key of a repository (case-insensitive, as GitHub's names). */
export function repoKey(owner: string, repo: string): string {
  return `${owner}/${repo}`.toLowerCase();
}

/** GitHub's accounts, repositories and webhooks, persisted. */
export class GitHubStore {
  readonly state: StateFile<GitHubState>;

  constructor(dataDir: string, readonly repos: BareRepos) {
    this.state = new StateFile(dataDir, 'github', () => ({
      nextId: 1000,
      users: {},
      repos: {},
      orgHooks: {},
    }));
    // State files written before org webhooks existed load with none.
    this.state.data.orgHooks ??= {};
  }

  ensureUser(
    login: string,
    type: 'User' | 'Organization' = 'User',
  ): UserRecord {
    const existing = this.state.data.users[login.toLowerCase()];
    if (existing) return existing;
    return this.state.update(s => {
      const u: UserRecord = { login, id: s.nextId++, type };
      s.users[login.toLowerCase()] = u;
      return u;
    });
  }

  /** The account that owns a repository. */
  ownerOf(r: RepoRecord): UserRecord {
    return this.ensureUser(r.owner);
  }

  getRepo(owner: string, repo: string): RepoRecord | undefined {
    return this.state.data.repos[repoKey(owner, repo)];
  }

  /** An organization account, or undefined (unknown, or a user). */
  getOrg(login: string): UserRecord | undefined {
    const u = this.state.data.users[login.toLowerCase()];
    return u?.type === 'Organization' ? u : undefined;
  }

  /** The organization's webhooks (with their last delivery's response). */
  listOrgWebhooks(org: string): HookRecord[] {
    return this.state.data.orgHooks[org.toLowerCase()] ?? [];
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
      const hook = this.addHook(s => orgHooksOf(s, account), {
        url,
        secret: opts.secret,
        events: opts.events,
      });
      return { hook, created: true };
    }
    this.state.update(() => {
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
    opts: NewRepoOptions = {},
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
    return this.state.update(s => {
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
      s.repos[repoKey(owner, name)] = r;
      return r;
    });
  }

  /** Removes a repository's record and its bare git repo. */
  deleteRepo(r: RepoRecord) {
    this.state.update(s => {
      delete s.repos[repoKey(r.owner, r.name)];
    });
    this.repos.remove(r.owner, r.name);
  }

  /** Records that the repository was just pushed to. */
  markPushed(owner: string, repo: string) {
    this.state.update(s => {
      const r = s.repos[repoKey(owner, repo)];
      if (r) r.pushedAt = new Date().toISOString();
    });
  }

  /** Records a GitHub Actions workflow run; returns its id. */
  addWorkflowRun(
    owner: string,
    repo: string,
    run: Omit<WorkflowRunRecord, 'id' | 'runNumber'>,
  ) {
    return this.state.update(s => {
      const r = s.repos[repoKey(owner, repo)];
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
    this.state.update(s => {
      const run = s.repos[repoKey(owner, repo)]?.runs.find(r => r.id === id);
      if (run)
        Object.assign(run, change, { updatedAt: new Date().toISOString() });
    });
  }

  /**
   * Validates a webhook (loopback URL, events) and stores its record in the
   * list `target` picks from the state: a repository's or an org's hooks.
   */
  addHook(
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
    return this.state.update(s => {
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

  /** Deletes hook `id` from the list `target` picks; false when it is not there. */
  removeHook(target: (s: GitHubState) => HookRecord[], id: string): boolean {
    return this.state.update(s => {
      const hooks = target(s);
      const i = hooks.findIndex(h => String(h.id) === id);
      return i >= 0 && hooks.splice(i, 1).length === 1;
    });
  }
}

/** The org's webhook list in the state, made on first use. */
export function orgHooksOf(s: GitHubState, org: UserRecord): HookRecord[] {
  return (s.orgHooks[org.login.toLowerCase()] ??= []);
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
