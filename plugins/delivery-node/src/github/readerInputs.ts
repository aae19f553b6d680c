/*
 * What GitHubReader accepts as an owner, repository, ref, path, page size
 * or date, checked before any request: a value can never reach another API
 * path or smuggle a control character into one.
 */

import { InputError } from '@backstage/errors';
import { hasControlChar } from '@internal/backstage-plugin-delivery-common';

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
/** A branch, tag or SHA as git allows it in a ref name (no `..`, no control characters). */
const REF = /^[A-Za-z0-9._/@+-]{1,255}$/;

export function checkOwnerRepo(owner: string, repo: string): void {
  if (typeof owner !== 'string' || !OWNER.test(owner)) {
    throw new InputError(`'${owner}' is not a GitHub owner name`);
  }
  if (
    typeof repo !== 'string' ||
    !REPO.test(repo) ||
    repo === '.' ||
    repo === '..' ||
    repo.endsWith('.git')
  ) {
    throw new InputError(`'${repo}' is not a GitHub repository name`);
  }
}

export function checkRef(ref: string, field: string): void {
  if (
    !REF.test(ref) ||
    ref.includes('..') ||
    ref.startsWith('/') ||
    ref.endsWith('/')
  ) {
    throw new InputError(`${field} '${ref}' is not a branch, tag or SHA`);
  }
}

/** A repository path: relative, no `.`/`..`/empty segments. Returns it without edge slashes. */
export function checkPath(path: string, field: string): string {
  const clean = typeof path === 'string' ? path.replace(/^\/+|\/+$/g, '') : '';
  if (
    !clean ||
    clean
      .split('/')
      .some(s => s === '' || s === '.' || s === '..' || hasControlChar(s))
  ) {
    throw new InputError(`${field} '${path}' is not a path in a repository`);
  }
  return clean;
}

export function checkPerPage(perPage: number | undefined): number | undefined {
  if (perPage === undefined) return undefined;
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
    throw new InputError(
      `perPage must be an integer from 1 to 100 (got ${perPage})`,
    );
  }
  return perPage;
}

export function checkDate(value: string | undefined, field: string) {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) {
    throw new InputError(`${field} '${value}' is not an ISO 8601 date`);
  }
  return d.toISOString();
}
