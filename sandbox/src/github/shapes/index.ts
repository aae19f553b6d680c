/*
 * GitHub's REST resource shapes, built from the sandbox's records. Field
 * sets follow GitHub's OpenAPI description (@octokit/openapi); the contract
 * tests validate every response against it. One module per resource; this
 * one puts them together as the one `Shapes` object the routes use.
 */

import { accountShapes } from './accounts';
import { actionShapes } from './actions';
import { branchShapes } from './branches';
import { commitShapes } from './commits';
import { contentShapes } from './contents';
import { gitShapes } from './git';
import { hookShapes } from './hooks';
import { Links } from './links';
import { pullShapes } from './pulls';
import { repoShapes } from './repos';

export { gitBlobSha } from './contents';
export type { Links } from './links';
export type { PullMergeState } from './pulls';

export type Shapes = ReturnType<typeof createShapes>;

export function createShapes(links: Links) {
  const accounts = accountShapes(links);
  const repos = repoShapes(links, accounts);
  const commits = commitShapes(links);
  return {
    ...accounts,
    ...repos,
    ...commits,
    ...branchShapes(links, commits),
    ...gitShapes(links),
    ...contentShapes(links),
    ...hookShapes(links),
    ...pullShapes(links, accounts, repos),
    ...actionShapes(links, repos),
  };
}
