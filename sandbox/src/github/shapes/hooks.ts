/*
 * GitHub's webhook shapes: a repository's `hook` and an organization's
 * `org-hook`, with the secret masked.
 */

import { HookRecord, RepoRecord, UserRecord } from '../records';
import { Links } from './links';

export function hookShapes({ api }: Links) {
  /** A hook's config as GitHub answers it: the secret masked, never echoed. */
  function hookConfig(h: HookRecord) {
    return {
      url: h.url,
      content_type: h.contentType,
      insecure_ssl: h.insecureSsl ?? '0',
      ...(h.secret ? { secret: '********' } : {}),
    };
  }

  /** GitHub's `hook`: a repository's webhook. */
  function hook(r: RepoRecord, h: HookRecord) {
    const base = `${api()}/repos/${r.owner}/${r.name}/hooks/${h.id}`;
    return {
      type: 'Repository',
      id: h.id,
      name: 'web',
      active: h.active,
      events: h.events,
      config: hookConfig(h),
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
  function orgHook(org: UserRecord, h: HookRecord) {
    const base = `${api()}/orgs/${org.login}/hooks/${h.id}`;
    return {
      id: h.id,
      url: base,
      ping_url: `${base}/pings`,
      deliveries_url: `${base}/deliveries`,
      name: 'web',
      events: h.events,
      active: h.active,
      config: hookConfig(h),
      updated_at: h.updatedAt,
      created_at: h.createdAt,
      type: 'Organization',
    };
  }

  return { hook, orgHook };
}
