/*
 * GitHub's account shapes: users (simple and public) and organizations, as
 * GET /user, /users/{username} and /orgs/{org} answer them and other
 * resources embed them.
 */

import { UserRecord } from '../records';
import { Links, nodeId } from './links';

export type AccountShapes = ReturnType<typeof accountShapes>;

export function accountShapes({ api, web }: Links) {
  /** GitHub's `simple-user`, as other resources embed it. */
  function user(u: UserRecord) {
    const base = `${api()}/users/${u.login}`;
    return {
      login: u.login,
      id: u.id,
      node_id: nodeId(u.type, u.id),
      avatar_url: `${web()}/avatars/${u.login}`,
      gravatar_id: '',
      url: base,
      html_url: `${web()}/${u.login}`,
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
  function publicUser(u: UserRecord) {
    return {
      ...user(u),
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
  function orgSimple(u: UserRecord) {
    const base = `${api()}/orgs/${u.login}`;
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
      avatar_url: `${web()}/avatars/${u.login}`,
      description: null,
    };
  }

  /** The organization-full shape of GET /orgs/{org}. */
  function org(u: UserRecord) {
    return {
      ...orgSimple(u),
      html_url: `${web()}/${u.login}`,
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

  return { user, publicUser, orgSimple, org };
}
