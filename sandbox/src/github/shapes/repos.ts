/*
 * GitHub's repository shapes: the full repository of GET/POST repos and the
 * minimal one workflow runs embed.
 */

import { RepoRecord, UserRecord } from '../records';
import { AccountShapes } from './accounts';
import { Links, nodeId } from './links';

export type RepoShapes = ReturnType<typeof repoShapes>;

/** The templated `*_url` links of a repository, by key, after its API URL. */
const TEMPLATED_URLS: Array<[string, string]> = [
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

/** The keys of `minimal-repository`: the leading fields and every link. */
const MINIMAL_REPO_KEYS = [
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
  ...TEMPLATED_URLS.map(([key]) => key),
];

export function repoShapes(
  { api, web }: Links,
  accounts: Pick<AccountShapes, 'user'>,
) {
  /** The full-repository shape of GET /repos/{owner}/{repo} and creation. */
  function repo(r: RepoRecord, owner: UserRecord) {
    const base = `${api()}/repos/${r.owner}/${r.name}`;
    const html = `${web()}/${r.owner}/${r.name}`;
    const urls: Record<string, string> = {};
    for (const [k, suffix] of TEMPLATED_URLS) urls[k] = `${base}${suffix}`;
    const host = new URL(web()).host;
    return {
      id: r.id,
      node_id: nodeId('Repository', r.id),
      name: r.name,
      full_name: `${r.owner}/${r.name}`,
      owner: accounts.user(owner),
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

  /** The minimal-repository shape embedded in workflow runs. */
  function minimalRepo(r: RepoRecord, owner: UserRecord) {
    const full = repo(r, owner) as Record<string, unknown>;
    return Object.fromEntries(MINIMAL_REPO_KEYS.map(k => [k, full[k]]));
  }

  return { repo, minimalRepo };
}
