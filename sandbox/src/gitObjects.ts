/*
 * Git objects and refs of the sandbox's bare repositories, through git's
 * plumbing: resolving refs and tree-ishes, reading and writing blobs, trees
 * and commits, moving and deleting refs with compare-and-swap, merge bases
 * and the files two commits differ in. GitHub's Git Data REST endpoints
 * (git/blobs, git/trees, git/commits, git/refs) and pull request merges
 * stand on these; BareRepos exposes them as methods.
 */

import { execFile } from 'node:child_process';
import { git, GitPerson, setIdentity } from './gitCli';

/** A commit object as GitHub's Git Data API describes it. */
export interface GitCommitObject {
  sha: string;
  tree: string;
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
  message: string;
  parents: string[];
}

/** One entry of a tree object (`git ls-tree -l`). */
export interface GitTreeEntry {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  /** Blobs only. */
  size?: number;
}

/**
 * A change to a tree at a (possibly nested) path: the entry to put there, or
 * null to delete whatever is there (a file, or a folder with all below it).
 */
export type TreeChange = Omit<GitTreeEntry, 'path' | 'size'> | null;

/**
 * The folder of each bare repository (BareRepos.dir), which throws for an
 * invalid owner or repo name. Readers that answer "not found" with
 * undefined or false answer an invalid name the same way.
 */
export interface RepoDirs {
  dir(owner: string, repo: string): string;
}

/** The commit a branch, tag or SHA (or HEAD) names, as its SHA. */
export async function resolveCommit(
  repos: RepoDirs,
  owner: string,
  repo: string,
  ref: string,
): Promise<string | undefined> {
  if (!/^[A-Za-z0-9._/-]+$/.test(ref) || ref.includes('..')) return undefined;
  return revParse(
    repos,
    owner,
    repo,
    ref === 'HEAD' ? ['HEAD'] : [`refs/heads/${ref}`, `refs/tags/${ref}`, ref],
    'commit',
  );
}

/** The first candidate that names an object of `type`, as its SHA. */
async function revParse(
  repos: RepoDirs,
  owner: string,
  repo: string,
  candidates: string[],
  type: 'commit' | 'tree',
): Promise<string | undefined> {
  for (const c of candidates) {
    try {
      const sha = (
        await git(['rev-parse', '--verify', '--quiet', `${c}^{${type}}`], {
          cwd: repos.dir(owner, repo),
        })
      ).trim();
      if (sha) return sha;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

/** The type of an object ('blob', 'tree', 'commit', 'tag'), or undefined. */
export async function objectType(
  repos: RepoDirs,
  owner: string,
  repo: string,
  sha: string,
): Promise<string | undefined> {
  if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
  try {
    return (
      await git(['cat-file', '-t', sha], { cwd: repos.dir(owner, repo) })
    ).trim();
  } catch {
    return undefined;
  }
}

/** The tree a tree-ish (tree SHA, commit SHA, branch or tag) names. */
export async function resolveTree(
  repos: RepoDirs,
  owner: string,
  repo: string,
  treeish: string,
): Promise<string | undefined> {
  if (!/^[A-Za-z0-9._/-]+$/.test(treeish) || treeish.includes('..'))
    return undefined;
  return revParse(
    repos,
    owner,
    repo,
    [treeish, `refs/heads/${treeish}`, `refs/tags/${treeish}`],
    'tree',
  );
}

/** A tree's entries (`recursive`: every entry below it, folders included). */
export async function listTree(
  repos: RepoDirs,
  owner: string,
  repo: string,
  tree: string,
  recursive = false,
): Promise<GitTreeEntry[]> {
  const out = await git(
    ['ls-tree', '-z', '-l', ...(recursive ? ['-r', '-t'] : []), tree],
    { cwd: repos.dir(owner, repo) },
  );
  return out
    .split('\0')
    .filter(Boolean)
    .map(line => {
      const tab = line.indexOf('\t');
      const [mode, type, sha, size] = line.slice(0, tab).split(/ +/);
      return {
        path: line.slice(tab + 1),
        mode,
        type: type as GitTreeEntry['type'],
        sha,
        ...(type === 'blob' ? { size: Number(size) } : {}),
      };
    });
}

/** A blob's bytes, or undefined when `sha` is no blob. */
export async function readBlob(
  repos: RepoDirs,
  owner: string,
  repo: string,
  sha: string,
): Promise<Buffer | undefined> {
  if ((await objectType(repos, owner, repo, sha)) !== 'blob') return undefined;
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['cat-file', 'blob', sha],
      {
        cwd: repos.dir(owner, repo),
        encoding: 'buffer',
        maxBuffer: 256 * 1024 * 1024,
      },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });
}

/** Stores a blob (`git hash-object -w`); returns its SHA. */
export async function writeBlob(
  repos: RepoDirs,
  owner: string,
  repo: string,
  content: Buffer,
) {
  return (
    await git(['hash-object', '-w', '--stdin'], {
      cwd: repos.dir(owner, repo),
      input: content,
    })
  ).trim();
}

/**
 * Writes the tree `base` (or an empty one) with `changes` applied, one
 * `git mktree` per folder on a changed path; folders left empty go away.
 * Returns the new root tree's SHA.
 */
export async function writeTree(
  repos: RepoDirs,
  owner: string,
  repo: string,
  base: string | undefined,
  changes: Map<string, TreeChange>,
): Promise<string> {
  const cwd = repos.dir(owner, repo);
  const build = async (
    tree: string | undefined,
    here: Map<string, TreeChange>,
    root: boolean,
  ): Promise<string | undefined> => {
    const entries = new Map<string, Omit<GitTreeEntry, 'size'>>();
    if (tree) {
      for (const e of await listTree(repos, owner, repo, tree)) {
        entries.set(e.path, {
          path: e.path,
          mode: e.mode,
          type: e.type,
          sha: e.sha,
        });
      }
    }
    const below = new Map<string, Map<string, TreeChange>>();
    for (const [p, change] of here) {
      const slash = p.indexOf('/');
      if (slash < 0) {
        if (change === null) entries.delete(p);
        else entries.set(p, { path: p, ...change });
        continue;
      }
      const dir = p.slice(0, slash);
      if (!below.has(dir)) below.set(dir, new Map());
      below.get(dir)!.set(p.slice(slash + 1), change);
    }
    for (const [dir, sub] of below) {
      const existing = entries.get(dir);
      const subTree = await build(
        existing?.type === 'tree' ? existing.sha : undefined,
        sub,
        false,
      );
      if (subTree) {
        entries.set(dir, {
          path: dir,
          mode: '040000',
          type: 'tree',
          sha: subTree,
        });
      } else {
        entries.delete(dir);
      }
    }
    if (entries.size === 0 && !root) return undefined;
    const input = [...entries.values()]
      .map(e => `${e.mode} ${e.type} ${e.sha}\t${e.path}\0`)
      .join('');
    // --missing: entries come from existing trees or were checked by the
    // caller, so git need not look every one of them up again.
    return (await git(['mktree', '-z', '--missing'], { cwd, input })).trim();
  };
  return (await build(base, changes, true))!;
}

/** A commit object, or undefined when `sha` is no commit. */
export async function readCommit(
  repos: RepoDirs,
  owner: string,
  repo: string,
  sha: string,
): Promise<GitCommitObject | undefined> {
  if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
  let raw: string;
  try {
    raw = await git(['cat-file', 'commit', sha], {
      cwd: repos.dir(owner, repo),
    });
  } catch {
    return undefined;
  }
  const split = raw.indexOf('\n\n');
  const headers = (split < 0 ? raw : raw.slice(0, split)).split('\n');
  const message = split < 0 ? '' : raw.slice(split + 2);
  const person = (line = '') => {
    const m = /^(.*) <([^>]*)> (\d+) [+-]\d{4}$/.exec(line);
    return {
      name: m?.[1] ?? '',
      email: m?.[2] ?? '',
      date: new Date(Number(m?.[3] ?? 0) * 1000)
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
    };
  };
  const field = (name: string) =>
    headers
      .filter(h => h.startsWith(`${name} `))
      .map(h => h.slice(name.length + 1));
  return {
    sha,
    tree: field('tree')[0],
    author: person(field('author')[0]),
    committer: person(field('committer')[0]),
    parents: field('parent'),
    message: message.replace(/\n+$/, ''),
  };
}

/** Writes a commit object (`git commit-tree`); returns its SHA. */
export async function writeCommit(
  repos: RepoDirs,
  owner: string,
  repo: string,
  commit: {
    tree: string;
    parents: string[];
    message: string;
    author?: GitPerson;
    committer?: GitPerson;
  },
): Promise<string> {
  const env: Record<string, string> = {};
  const a = commit.author;
  const c = commit.committer ?? commit.author;
  if (a) setIdentity(env, 'AUTHOR', a);
  if (c) setIdentity(env, 'COMMITTER', c);
  return (
    await git(
      [
        'commit-tree',
        commit.tree,
        ...commit.parents.flatMap(p => ['-p', p]),
        '-F',
        '-',
      ],
      { cwd: repos.dir(owner, repo), env, input: commit.message },
    )
  ).trim();
}

/**
 * Moves a ref only if it still holds `expected`, or creates it when
 * `expected` is '' and it does not exist (`git update-ref <ref> <new>
 * <old>`). False when another writer got there first.
 */
export async function compareAndSwapRef(
  repos: RepoDirs,
  owner: string,
  repo: string,
  ref: string,
  sha: string,
  expected: string,
): Promise<boolean> {
  try {
    await git(['update-ref', ref, sha, expected], {
      cwd: repos.dir(owner, repo),
    });
    return true;
  } catch {
    return false;
  }
}

/** True when `ancestor` is `sha` or one of its ancestors. */
export async function isAncestor(
  repos: RepoDirs,
  owner: string,
  repo: string,
  ancestor: string,
  sha: string,
): Promise<boolean> {
  try {
    await git(['merge-base', '--is-ancestor', ancestor, sha], {
      cwd: repos.dir(owner, repo),
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Deletes a ref only if it still holds `expected` (`git update-ref -d <ref>
 * <old>`). False when it is gone or another writer moved it.
 */
export async function deleteRef(
  repos: RepoDirs,
  owner: string,
  repo: string,
  ref: string,
  expected: string,
): Promise<boolean> {
  try {
    await git(['update-ref', '-d', ref, expected], {
      cwd: repos.dir(owner, repo),
    });
    return true;
  } catch {
    return false;
  }
}

/** The best common ancestor of two commits, or undefined when they share no history. */
export async function mergeBase(
  repos: RepoDirs,
  owner: string,
  repo: string,
  a: string,
  b: string,
): Promise<string | undefined> {
  try {
    return (
      await git(['merge-base', a, b], { cwd: repos.dir(owner, repo) })
    ).trim();
  } catch {
    return undefined;
  }
}

/**
 * The files (blobs and submodule commits, at any depth) that differ between
 * two commits' trees, each with the entry `to` has at that path, or null
 * where `to` has none (`git diff-tree -r`, no rename detection).
 */
export async function changedPaths(
  repos: RepoDirs,
  owner: string,
  repo: string,
  from: string,
  to: string,
): Promise<Map<string, TreeChange>> {
  const out = await git(['diff-tree', '-r', '-z', '--no-renames', from, to], {
    cwd: repos.dir(owner, repo),
  });
  // -z: ":<old mode> <new mode> <old sha> <new sha> <status>\0<path>\0" per file.
  const fields = out.split('\0');
  const changes = new Map<string, TreeChange>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [, mode, , sha, status] = fields[i].replace(/^:/, '').split(' ');
    changes.set(
      fields[i + 1],
      status === 'D'
        ? null
        : { mode, type: mode === '160000' ? 'commit' : 'blob', sha },
    );
  }
  return changes;
}
