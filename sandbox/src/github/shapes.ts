/*
 * GitHub's REST resource shapes, built from the sandbox's records. Field
 * sets follow GitHub's OpenAPI description (@octokit/openapi); the contract
 * test validates every response against it.
 */

import crypto from 'node:crypto';
import { CommitInfo, GitCommitObject, GitTreeEntry } from '../git';

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

/** A pull request (only open ones: the sandbox neither merges nor closes). */
export interface PullRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  /** Branch names in this repository (no forks). */
  head: string;
  base: string;
  state: 'open';
  draft: boolean;
  /** Login of the user who opened it. */
  user: string;
  createdAt: string;
  updatedAt: string;
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

const nodeId = (kind: string, id: number | string) =>
  Buffer.from(`${kind}:${id}`).toString('base64').replace(/=+$/, '');

export class Shapes {
  constructor(
    private readonly api: () => string,
    private readonly web: () => string,
  ) {}

  user(u: UserRecord) {
    const api = this.api();
    const base = `${api}/users/${u.login}`;
    return {
      login: u.login,
      id: u.id,
      node_id: nodeId(u.type, u.id),
      avatar_url: `${this.web()}/avatars/${u.login}`,
      gravatar_id: '',
      url: base,
      html_url: `${this.web()}/${u.login}`,
      followers_url: `${base}/followers`,
      following_url: `${base}/following{/other_user}`,
      gists_url: `${base}/gists{/gist_id}`,
      starred_url: `${base}/starred{/owner}{/repo}`,
      subscriptions_url: `${base}/subscriptions`,
      organizations_url: `${base}/orgs`,
      repos_url: `${base}/repos`,
      events_url: `${base}/events{/privacy}`,
      received_events_url: `${base}/received_events`,
      type: u.type,
      site_admin: false,
    };
  }

  /** The public-user shape of GET /users/{username} and GET /user. */
  publicUser(u: UserRecord) {
    return {
      ...this.user(u),
      name: u.login,
      company: null,
      blog: '',
      location: null,
      email: null,
      hireable: null,
      bio: null,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    };
  }

  /** GitHub's `organization-simple`, as push payloads carry it. */
  orgSimple(u: UserRecord) {
    const base = `${this.api()}/orgs/${u.login}`;
    return {
      login: u.login,
      id: u.id,
      node_id: nodeId('Organization', u.id),
      url: base,
      repos_url: `${base}/repos`,
      events_url: `${base}/events`,
      hooks_url: `${base}/hooks`,
      issues_url: `${base}/issues`,
      members_url: `${base}/members{/member}`,
      public_members_url: `${base}/public_members{/member}`,
      avatar_url: `${this.web()}/avatars/${u.login}`,
      description: null,
    };
  }

  org(u: UserRecord) {
    return {
      ...this.orgSimple(u),
      html_url: `${this.web()}/${u.login}`,
      has_organization_projects: true,
      has_repository_projects: true,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      type: 'Organization',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      archived_at: null,
    };
  }

  repo(r: RepoRecord, owner: UserRecord) {
    const api = this.api();
    const base = `${api}/repos/${r.owner}/${r.name}`;
    const html = `${this.web()}/${r.owner}/${r.name}`;
    const urls: Record<string, string> = {};
    const templated: Array<[string, string]> = [
      ['archive_url', '/{archive_format}{/ref}'],
      ['assignees_url', '/assignees{/user}'],
      ['blobs_url', '/git/blobs{/sha}'],
      ['branches_url', '/branches{/branch}'],
      ['collaborators_url', '/collaborators{/collaborator}'],
      ['comments_url', '/comments{/number}'],
      ['commits_url', '/commits{/sha}'],
      ['compare_url', '/compare/{base}...{head}'],
      ['contents_url', '/contents/{+path}'],
      ['contributors_url', '/contributors'],
      ['deployments_url', '/deployments'],
      ['downloads_url', '/downloads'],
      ['events_url', '/events'],
      ['forks_url', '/forks'],
      ['git_commits_url', '/git/commits{/sha}'],
      ['git_refs_url', '/git/refs{/sha}'],
      ['git_tags_url', '/git/tags{/sha}'],
      ['hooks_url', '/hooks'],
      ['issue_comment_url', '/issues/comments{/number}'],
      ['issue_events_url', '/issues/events{/number}'],
      ['issues_url', '/issues{/number}'],
      ['keys_url', '/keys{/key_id}'],
      ['labels_url', '/labels{/name}'],
      ['languages_url', '/languages'],
      ['merges_url', '/merges'],
      ['milestones_url', '/milestones{/number}'],
      ['notifications_url', '/notifications{?since,all,participating}'],
      ['pulls_url', '/pulls{/number}'],
      ['releases_url', '/releases{/id}'],
      ['stargazers_url', '/stargazers'],
      ['statuses_url', '/statuses/{sha}'],
      ['subscribers_url', '/subscribers'],
      ['subscription_url', '/subscription'],
      ['tags_url', '/tags'],
      ['teams_url', '/teams'],
      ['trees_url', '/git/trees{/sha}'],
    ];
    for (const [k, suffix] of templated) urls[k] = `${base}${suffix}`;
    const host = new URL(this.web()).host;
    return {
      id: r.id,
      node_id: nodeId('Repository', r.id),
      name: r.name,
      full_name: `${r.owner}/${r.name}`,
      owner: this.user(owner),
      private: r.private,
      visibility: r.visibility,
      html_url: html,
      description: r.description,
      fork: false,
      url: base,
      ...urls,
      clone_url: `${html}.git`,
      git_url: `git://${host}/${r.owner}/${r.name}.git`,
      ssh_url: `git@${host}:${r.owner}/${r.name}.git`,
      svn_url: html,
      mirror_url: null,
      homepage: r.homepage,
      language: null,
      forks: 0,
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      watchers: 0,
      size: 0,
      default_branch: r.defaultBranch,
      open_issues: 0,
      open_issues_count: 0,
      is_template: false,
      topics: r.topics,
      has_issues: true,
      has_projects: true,
      has_wiki: true,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      pushed_at: r.pushedAt ?? r.createdAt,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
      permissions: {
        admin: true,
        maintain: true,
        push: true,
        triage: true,
        pull: true,
      },
      allow_merge_commit: r.allowMergeCommit,
      allow_squash_merge: r.allowSquashMerge,
      allow_rebase_merge: r.allowRebaseMerge,
      delete_branch_on_merge: r.deleteBranchOnMerge,
      license: null,
      network_count: 0,
      subscribers_count: 0,
    };
  }

  hook(r: RepoRecord, h: HookRecord) {
    const base = `${this.api()}/repos/${r.owner}/${r.name}/hooks/${h.id}`;
    return {
      type: 'Repository',
      id: h.id,
      name: 'web',
      active: h.active,
      events: h.events,
      config: this.#hookConfig(h),
      updated_at: h.updatedAt,
      created_at: h.createdAt,
      url: base,
      test_url: `${base}/test`,
      ping_url: `${base}/pings`,
      deliveries_url: `${base}/deliveries`,
      last_response: h.lastResponse ?? {
        code: null,
        status: 'unused',
        message: null,
      },
    };
  }

  /** GitHub's `org-hook` (its schema has no last_response). */
  orgHook(org: UserRecord, h: HookRecord) {
    const base = `${this.api()}/orgs/${org.login}/hooks/${h.id}`;
    return {
      id: h.id,
      url: base,
      ping_url: `${base}/pings`,
      deliveries_url: `${base}/deliveries`,
      name: 'web',
      events: h.events,
      active: h.active,
      config: this.#hookConfig(h),
      updated_at: h.updatedAt,
      created_at: h.createdAt,
      type: 'Organization',
    };
  }

  /** A hook's config as GitHub answers it: the secret masked, never echoed. */
  #hookConfig(h: HookRecord) {
    return {
      url: h.url,
      content_type: h.contentType,
      insecure_ssl: h.insecureSsl ?? '0',
      ...(h.secret ? { secret: '********' } : {}),
    };
  }

  ref(r: RepoRecord, ref: string, sha: string) {
    const base = `${this.api()}/repos/${r.owner}/${r.name}/git`;
    return {
      ref,
      node_id: nodeId('Ref', `${r.id}:${ref}`),
      url: `${base}/${ref}`,
      object: { type: 'commit', sha, url: `${base}/commits/${sha}` },
    };
  }

  gitUser(c: CommitInfo) {
    return { name: c.author, email: c.email, date: c.date };
  }

  commit(r: RepoRecord, c: CommitInfo) {
    const base = `${this.api()}/repos/${r.owner}/${r.name}`;
    return {
      url: `${base}/commits/${c.sha}`,
      sha: c.sha,
      node_id: nodeId('Commit', c.sha),
      html_url: `${this.web()}/${r.owner}/${r.name}/commit/${c.sha}`,
      comments_url: `${base}/commits/${c.sha}/comments`,
      commit: {
        url: `${base}/git/commits/${c.sha}`,
        author: this.gitUser(c),
        committer: this.gitUser(c),
        message: c.message,
        comment_count: 0,
        tree: { sha: c.sha, url: `${base}/git/trees/${c.sha}` },
      },
      author: null,
      committer: null,
      parents: c.parents.map(p => ({
        sha: p,
        url: `${base}/commits/${p}`,
        html_url: `${this.web()}/${r.owner}/${r.name}/commit/${p}`,
      })),
    };
  }

  content(r: RepoRecord, path: string, text: Buffer, ref: string) {
    const base = `${this.api()}/repos/${r.owner}/${r.name}`;
    const sha = gitBlobSha(text);
    const self = `${base}/contents/${path}?ref=${ref}`;
    const html = `${this.web()}/${r.owner}/${r.name}/blob/${ref}/${path}`;
    const git = `${base}/git/blobs/${sha}`;
    return {
      type: 'file',
      encoding: 'base64',
      size: text.length,
      name: path.split('/').pop() ?? path,
      path,
      content: text.toString('base64'),
      sha,
      url: self,
      git_url: git,
      html_url: html,
      download_url: `${this.web()}/${r.owner}/${r.name}/raw/${ref}/${path}`,
      _links: { self, git, html },
    };
  }

  workflowRun(
    r: RepoRecord,
    owner: UserRecord,
    run: WorkflowRunRecord,
    head: CommitInfo | undefined,
  ) {
    const base = `${this.api()}/repos/${r.owner}/${r.name}/actions/runs/${
      run.id
    }`;
    const repo = this.minimalRepo(r, owner);
    return {
      id: run.id,
      name: 'ci',
      node_id: nodeId('WorkflowRun', run.id),
      head_branch: run.headBranch,
      head_sha: run.headSha,
      path: '.github/workflows/ci.yaml',
      display_title: run.displayTitle,
      run_number: run.runNumber,
      run_attempt: 1,
      event: 'push',
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: 1,
      url: base,
      html_url: `${this.web()}/${r.owner}/${r.name}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: run.createdAt,
      updated_at: run.updatedAt,
      run_started_at: run.runStartedAt,
      jobs_url: `${base}/jobs`,
      logs_url: `${base}/logs`,
      check_suite_url: `${this.api()}/repos/${r.owner}/${r.name}/check-suites/${
        run.id
      }`,
      artifacts_url: `${base}/artifacts`,
      cancel_url: `${base}/cancel`,
      rerun_url: `${base}/rerun`,
      workflow_url: `${this.api()}/repos/${r.owner}/${
        r.name
      }/actions/workflows/1`,
      head_commit: head
        ? {
            id: head.sha,
            tree_id: head.sha,
            message: head.message,
            timestamp: head.date,
            author: { name: head.author, email: head.email },
            committer: { name: head.author, email: head.email },
          }
        : null,
      repository: repo,
      head_repository: repo,
    };
  }

  /** The git-commit shape of GitHub's Git Data API (GET/POST git/commits). */
  gitCommit(r: RepoRecord, c: GitCommitObject) {
    const base = `${this.api()}/repos/${r.owner}/${r.name}/git`;
    const html = `${this.web()}/${r.owner}/${r.name}/commit`;
    return {
      sha: c.sha,
      node_id: nodeId('Commit', c.sha),
      url: `${base}/commits/${c.sha}`,
      html_url: `${html}/${c.sha}`,
      author: c.author,
      committer: c.committer,
      message: c.message,
      tree: { sha: c.tree, url: `${base}/trees/${c.tree}` },
      parents: c.parents.map(p => ({
        sha: p,
        url: `${base}/commits/${p}`,
        html_url: `${html}/${p}`,
      })),
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    };
  }

  /** The git-tree shape (GET/POST git/trees). */
  gitTree(
    r: RepoRecord,
    sha: string,
    entries: GitTreeEntry[],
    truncated = false,
  ) {
    const base = `${this.api()}/repos/${r.owner}/${r.name}/git`;
    return {
      sha,
      url: `${base}/trees/${sha}`,
      tree: entries.map(e => ({
        path: e.path,
        mode: e.mode,
        type: e.type,
        sha: e.sha,
        ...(e.size !== undefined ? { size: e.size } : {}),
        ...(e.type === 'commit'
          ? {}
          : {
              url: `${base}/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`,
            }),
      })),
      truncated,
    };
  }

  /** The short-blob shape of POST git/blobs. */
  shortBlob(r: RepoRecord, sha: string) {
    return {
      url: `${this.api()}/repos/${r.owner}/${r.name}/git/blobs/${sha}`,
      sha,
    };
  }

  /** The blob shape of GET git/blobs/{sha}: base64 in 60-character lines, as GitHub sends it. */
  blob(r: RepoRecord, sha: string, content: Buffer) {
    return {
      sha,
      node_id: nodeId('Blob', sha),
      url: `${this.api()}/repos/${r.owner}/${r.name}/git/blobs/${sha}`,
      size: content.length,
      content: (content.toString('base64').match(/.{1,60}/g) ?? []).join('\n'),
      encoding: 'base64',
    };
  }

  /**
   * A pull request: `full` is the pull-request shape of GET/POST (with the
   * mergeability counters), otherwise the pull-request-simple shape of lists.
   */
  pull(
    r: RepoRecord,
    owner: UserRecord,
    author: UserRecord,
    p: PullRecord,
    shas: { head: string; base: string },
    full: boolean,
  ) {
    const api = `${this.api()}/repos/${r.owner}/${r.name}`;
    const html = `${this.web()}/${r.owner}/${r.name}/pull/${p.number}`;
    const repo = this.repo(r, owner);
    const side = (ref: string, sha: string) => ({
      label: `${r.owner}:${ref}`,
      ref,
      sha,
      repo,
      user: this.user(owner),
    });
    const link = (href: string) => ({ href });
    const simple = {
      url: `${api}/pulls/${p.number}`,
      id: p.id,
      node_id: nodeId('PullRequest', p.id),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${api}/issues/${p.number}`,
      commits_url: `${api}/pulls/${p.number}/commits`,
      review_comments_url: `${api}/pulls/${p.number}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${p.number}/comments`,
      statuses_url: `${api}/statuses/${shas.head}`,
      number: p.number,
      state: p.state,
      locked: false,
      title: p.title,
      user: this.user(author),
      body: p.body,
      labels: [],
      milestone: null,
      active_lock_reason: null,
      created_at: p.createdAt,
      updated_at: p.updatedAt,
      closed_at: null,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: side(p.head, shas.head),
      base: side(p.base, shas.base),
      _links: {
        self: link(`${api}/pulls/${p.number}`),
        html: link(html),
        issue: link(`${api}/issues/${p.number}`),
        comments: link(`${api}/issues/${p.number}/comments`),
        review_comments: link(`${api}/pulls/${p.number}/comments`),
        review_comment: link(`${api}/pulls/comments{/number}`),
        commits: link(`${api}/pulls/${p.number}/commits`),
        statuses: link(`${api}/statuses/${shas.head}`),
      },
      author_association: 'MEMBER',
      auto_merge: null,
      draft: p.draft,
    };
    if (!full) return simple;
    return {
      ...simple,
      merged: false,
      mergeable: null,
      rebaseable: null,
      mergeable_state: 'unknown',
      merged_by: null,
      comments: 0,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: 0,
      deletions: 0,
      changed_files: 0,
    };
  }

  /** The minimal-repository shape embedded in workflow runs. */
  minimalRepo(r: RepoRecord, owner: UserRecord) {
    const full = this.repo(r, owner) as Record<string, unknown>;
    const keep = [
      'id',
      'node_id',
      'name',
      'full_name',
      'owner',
      'private',
      'html_url',
      'description',
      'fork',
      'url',
      'archive_url',
      'assignees_url',
      'blobs_url',
      'branches_url',
      'collaborators_url',
      'comments_url',
      'commits_url',
      'compare_url',
      'contents_url',
      'contributors_url',
      'deployments_url',
      'downloads_url',
      'events_url',
      'forks_url',
      'git_commits_url',
      'git_refs_url',
      'git_tags_url',
      'hooks_url',
      'issue_comment_url',
      'issue_events_url',
      'issues_url',
      'keys_url',
      'labels_url',
      'languages_url',
      'merges_url',
      'milestones_url',
      'notifications_url',
      'pulls_url',
      'releases_url',
      'stargazers_url',
      'statuses_url',
      'subscribers_url',
      'subscription_url',
      'tags_url',
      'teams_url',
      'trees_url',
    ];
    return Object.fromEntries(keep.map(k => [k, full[k]]));
  }
}

/** The blob SHA git gives a file's bytes (what GitHub's contents API returns). */
export function gitBlobSha(content: Buffer): string {
  return crypto
    .createHash('sha1')
    .update(`blob ${content.length}\0`)
    .update(content)
    .digest('hex');
}
