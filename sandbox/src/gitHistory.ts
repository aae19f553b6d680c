/*
 * History of the sandbox's bare repositories: commit metadata, commits of
 * whole files onto a branch without a work tree (as GitHub's contents API
 * makes them), the commit log as GitHub's list-commits filters it, and the
 * commits between two revisions. BareRepos exposes them as methods.
 */

import fs from 'node:fs';
import path from 'node:path';
import { git, GitPerson, setIdentity } from './gitCli';
import { RepoDirs, resolveCommit } from './gitObjects';

/** A commit as Argo CD's revision metadata and GitHub's API describe it. */
export interface CommitInfo {
  sha: string;
  author: string;
  email: string;
  date: string;
  message: string;
  parents: string[];
}

/** How `git show` and `git log` print a commit for parseCommit: NUL-separated fields, message last. */
const COMMIT_FORMAT = '%H%x00%an%x00%ae%x00%aI%x00%P%x00%B';

/** A commit printed with COMMIT_FORMAT, or undefined when the record is incomplete. */
function parseCommit(record: string): CommitInfo | undefined {
  const [sha, author, email, date, parents, message] = record.split('\0');
  if (!sha || message === undefined) return undefined;
  return {
    sha,
    author,
    email,
    date,
    parents: parents.split(' ').filter(Boolean),
    message: message.trim(),
  };
}

/** A commit's metadata, or undefined when `sha` is no commit. */
export async function commitInfo(
  repos: RepoDirs,
  owner: string,
  repo: string,
  sha: string,
): Promise<CommitInfo | undefined> {
  try {
    const out = await git(['show', '-s', `--format=${COMMIT_FORMAT}`, sha], {
      cwd: repos.dir(owner, repo),
    });
    return parseCommit(out);
  } catch {
    return undefined;
  }
}

/**
 * Commits files onto a branch without a work tree (git plumbing), the way
 * GitHub's contents API does. `null` deletes a path. The branch moves only
 * if it still points at the parent read here (compare-and-swap), so two
 * writers never lose each other's commits.
 */
export async function commitFiles(
  repos: RepoDirs,
  owner: string,
  repo: string,
  branch: string,
  files: Record<string, string | Buffer | null>,
  message: string,
  author?: GitPerson,
): Promise<{ sha: string; parent?: string }> {
  const dir = repos.dir(owner, repo);
  const parent = await resolveCommit(repos, owner, repo, branch);
  const indexFile = path.join(
    dir,
    `index.sandbox.${process.pid}.${Date.now()}.${Math.random()}`,
  );
  const env: Record<string, string> = { GIT_INDEX_FILE: indexFile };
  if (author) setIdentity(env, 'AUTHOR', author);
  try {
    if (parent) await git(['read-tree', parent], { cwd: dir, env });
    for (const [filePath, content] of Object.entries(files)) {
      const clean = filePath.replace(/^\/+/, '');
      if (
        !clean ||
        clean.split('/').some(s => s === '..' || s === '.' || s === '')
      ) {
        throw new Error(`invalid path ${filePath}`);
      }
      if (content === null) {
        // Mode 0 drops the entry (--force-remove wants a work tree).
        await git(['update-index', '--index-info'], {
          cwd: dir,
          env,
          input: `0 ${'0'.repeat(40)}\t${clean}\n`,
        });
        continue;
      }
      const blob = (
        await git(['hash-object', '-w', '--stdin'], {
          cwd: dir,
          env,
          input: content.toString(),
        })
      ).trim();
      await git(
        ['update-index', '--add', '--cacheinfo', `100644,${blob},${clean}`],
        {
          cwd: dir,
          env,
        },
      );
    }
    const tree = (await git(['write-tree'], { cwd: dir, env })).trim();
    const sha = (
      await git(
        ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message],
        {
          cwd: dir,
          env,
        },
      )
    ).trim();
    await git(['update-ref', `refs/heads/${branch}`, sha, parent ?? ''], {
      cwd: dir,
    });
    return { sha, parent };
  } finally {
    fs.rmSync(indexFile, { force: true });
  }
}

/**
 * Commits, newest first, reachable from `ref`, as GitHub's list-commits
 * filters them: `path` keeps the commits that changed that file or folder
 * (a literal path, never a pattern), `since`/`until` (inclusive) compare
 * against the date the API shows (the author date).
 */
export async function log(
  repos: RepoDirs,
  owner: string,
  repo: string,
  ref: string,
  max = 30,
  filter: { path?: string; since?: Date; until?: Date } = {},
): Promise<CommitInfo[]> {
  const sha = await resolveCommit(repos, owner, repo, ref);
  if (!sha) return [];
  const { since, until } = filter;
  const clean = filter.path?.replace(/^\/+|\/+$/g, '');
  if (clean !== undefined && clean.split('/').includes('..')) return [];
  // One git process lists the commits with everything the API shows;
  // dates are filtered here, on the author date (git's own --since uses
  // the committer date).
  const args = ['--literal-pathspecs', 'log', `--format=${COMMIT_FORMAT}%x1e`];
  if (!since && !until) args.push(`--max-count=${max}`);
  args.push(sha);
  if (clean) args.push('--', clean);
  const out = await git(args, { cwd: repos.dir(owner, repo) });
  const commits: CommitInfo[] = [];
  for (const record of out.split('\x1e')) {
    if (commits.length >= max) break;
    const commit = parseCommit(record.replace(/^\n/, ''));
    if (!commit) continue;
    const at = Date.parse(commit.date);
    if (since && at < since.getTime()) continue;
    if (until && at > until.getTime()) continue;
    commits.push(commit);
  }
  return commits;
}

/** The commits reachable from `to` but not from `from`, oldest first (`git log from..to`). */
export async function commitsBetween(
  repos: RepoDirs,
  owner: string,
  repo: string,
  from: string,
  to: string,
): Promise<CommitInfo[]> {
  const out = await git(
    ['log', '--reverse', `--format=${COMMIT_FORMAT}%x1e`, `${from}..${to}`],
    { cwd: repos.dir(owner, repo) },
  );
  return out
    .split('\x1e')
    .map(record => parseCommit(record.replace(/^\n/, '')))
    .filter((c): c is CommitInfo => !!c);
}
