/*
 * What the GitHub stand-in remembers between restarts: accounts,
 * repositories (with their webhooks, branch protection, workflow runs and
 * pull requests) and organization webhooks, as stored in github.json. The
 * git objects themselves live in the bare repositories (see ../git.ts).
 */

export interface UserRecord {
  login: string;
  id: number;
  type: 'User' | 'Organization';
}

export interface HookRecord {
  id: number;
  url: string;
  contentType: 'json' | 'form';
  /** '0' or '1' as GitHub stores it (absent in older state files: '0'). */
  insecureSsl?: string;
  secret?: string;
  events: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
  lastResponse?: {
    code: number | null;
    status: string;
    message: string | null;
  };
}

export interface WorkflowRunRecord {
  id: number;
  runNumber: number;
  headSha: string;
  headBranch: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | null;
  createdAt: string;
  updatedAt: string;
  runStartedAt: string;
  displayTitle: string;
}

/** A pull request between two branches of one repository. */
export interface PullRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  /** Branch names in this repository (no forks). */
  head: string;
  base: string;
  state: 'open' | 'closed';
  draft: boolean;
  /** Login of the user who opened it. */
  user: string;
  createdAt: string;
  updatedAt: string;
  /** When it was last closed (merged or not); absent while open. */
  closedAt?: string;
  /**
   * The branches' heads when it was closed: a closed pull request keeps
   * showing them (its head branch may be gone). Absent while open.
   */
  closedShas?: { head: string; base: string };
  /** The merge, once merged: when, by whom (login), and the commit it made on the base. */
  merged?: { at: string; by: string; sha: string };
}

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  description: string | null;
  homepage: string | null;
  private: boolean;
  visibility: 'public' | 'private' | 'internal';
  defaultBranch: string;
  topics: string[];
  createdAt: string;
  updatedAt: string;
  pushedAt: string | null;
  collaborators: Record<string, string>;
  teams: Record<string, string>;
  hooks: HookRecord[];
  protection: Record<string, unknown>;
  runs: WorkflowRunRecord[];
  deleteBranchOnMerge: boolean;
  allowMergeCommit: boolean;
  allowSquashMerge: boolean;
  allowRebaseMerge: boolean;
  /** Pull requests, by number (absent in state files written before they existed). */
  pulls?: PullRecord[];
}

/** The whole state file. */
export interface GitHubState {
  nextId: number;
  users: Record<string, UserRecord>;
  repos: Record<string, RepoRecord>;
  /** Organization webhooks by lower-cased org login (absent in older state files). */
  orgHooks: Record<string, HookRecord[]>;
}
