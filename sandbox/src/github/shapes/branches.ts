/*
 * GitHub's branch shapes: a branch with its head commit (GET branches/{branch})
 * and its protection (GET/PUT branches/{branch}/protection).
 */

import { CommitInfo } from '../../git';
import { RepoRecord } from '../records';
import { CommitShapes } from './commits';
import { Links } from './links';

export function branchShapes(
  { api, web }: Links,
  commits: Pick<CommitShapes, 'commit'>,
) {
  /** GitHub's `branch-with-protection`, `head` being the branch's head commit. */
  function branch(r: RepoRecord, name: string, head: CommitInfo) {
    const base = `${api()}/repos/${r.owner}/${r.name}/branches/${name}`;
    return {
      name,
      commit: commits.commit(r, head),
      _links: {
        self: base,
        html: `${web()}/${r.owner}/${r.name}/tree/${name}`,
      },
      protected: name in r.protection,
      protection: {
        enabled: name in r.protection,
        required_status_checks: { enforcement_level: 'off', contexts: [] },
      },
      protection_url: `${base}/protection`,
    };
  }

  /** GitHub's `branch-protection`, from the settings last PUT for the branch. */
  function protection(r: RepoRecord, name: string) {
    const url = `${api()}/repos/${r.owner}/${
      r.name
    }/branches/${name}/protection`;
    const p = r.protection[name] as Record<string, any>;
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

  return { branch, protection };
}
