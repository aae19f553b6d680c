/*
 * Bare git repositories on disk, driven by the real `git` CLI. The GitHub
 * emulation serves them over smart HTTP (git http-backend); Argo CD's
 * controller and the Jenkins pipeline read them through `GitReader`.
 */

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Runs git with a clean, predictable environment. */
export async function git(
  args: string[],
  options: {
    cwd?: string;
    env?: Record<string, string>;
    input?: string | Buffer;
  } = {},
): Promise<string> {
  const child = execFileP('git', args, {
    cwd: options.cwd,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Slipway Sandbox',
      GIT_AUTHOR_EMAIL: 'sandbox@slipway.invalid',
      GIT_COMMITTER_NAME: 'Slipway Sandbox',
      GIT_COMMITTER_EMAIL: 'sandbox@slipway.invalid',
      ...options.env,
    },
  });
  if (options.input !== undefined) {
    child.child.stdin?.end(options.input);
  }
  const { stdout } = await child;
  return stdout;
}

/** A commit as Argo CD's revision metadata and GitHub's API describe it. */
export interface CommitInfo {
  sha: string;
  author: string;
  email: string;
  date: string;
  message: string;
  parents: string[];
}

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

/** Read access to repositories by clone URL, for Argo CD and Jenkins. */
export interface GitReader {
  /** The commit SHA a branch, tag or SHA names, or undefined. */
  resolve(repoUrl: string, ref: string): Promise<string | undefined>;
  /** A file's text at a commit, or undefined when absent. */
  readFile(
    repoUrl: string,
    sha: string,
    filePath: string,
  ): Promise<string | undefined>;
  /** Names directly under a folder at a commit. */
  listDir(repoUrl: string, sha: string, dirPath: string): Promise<string[]>;
  commit(repoUrl: string, sha: string): Promise<CommitInfo | undefined>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The bare repositories under one folder: <root>/<owner>/<repo>.git */
export class BareRepos implements GitReader {
  constructor(
    readonly root: string,
    /** Base of clone URLs, e.g. http://127.0.0.1:7071 */
    private readonly baseUrl: () => string,
  ) {}

  static validName(name: string) {
    return NAME.test(name) && !name.includes('..') && !name.endsWith('.git');
  }

  dir(owner: string, repo: string): string {
    if (!BareRepos.validName(owner) || !BareRepos.validName(repo)) {
      throw new Error(`invalid repository name ${owner}/${repo}`);
    }
    return path.join(this.root, owner, `${repo}.git`);
  }

  cloneUrl(owner: string, repo: string) {
    return `${this.baseUrl()}/${owner}/${repo}.git`;
  }

  /** owner/repo from a clone or web URL of this host, else undefined. */
  parseUrl(repoUrl: string): { owner: string; repo: string } | undefined {
    let u: URL;
    try {
      u = new URL(repoUrl);
    } catch {
      return undefined;
    }
    const parts = u.pathname
      .replace(/^\/+|\/+$/g, '')
      .replace(/\.git$/, '')
      .split('/');
    if (parts.length !== 2) return undefined;
    const [owner, repo] = parts;
    if (!BareRepos.validName(owner) || !BareRepos.validName(repo))
      return undefined;
    return fs.existsSync(this.dir(owner, repo)) ? { owner, repo } : undefined;
  }

  exists(owner: string, repo: string) {
    return fs.existsSync(this.dir(owner, repo));
  }

  async create(owner: string, repo: string, defaultBranch = 'main') {
    const dir = this.dir(owner, repo);
    fs.mkdirSync(dir, { recursive: true });
    await git([
      'init',
      '--bare',
      '--quiet',
      `--initial-branch=${defaultBranch}`,
      dir,
    ]);
    // Pushes over HTTP are allowed; fast-forward only unless the client forces.
    await git(['config', 'http.receivepack', 'true'], { cwd: dir });
    await git(['config', 'receive.denyNonFastForwards', 'true'], { cwd: dir });
    return dir;
  }

  remove(owner: string, repo: string) {
    fs.rmSync(this.dir(owner, repo), { recursive: true, force: true });
  }

  /** All refs as { 'refs/heads/main': sha }. */
  async refs(owner: string, repo: string): Promise<Record<string, string>> {
    const out = await git(
      ['for-each-ref', '--format=%(refname) %(objectname)'],
      {
        cwd: this.dir(owner, repo),
      },
    );
    const refs: Record<string, string> = {};
    for (const line of out.split('\n')) {
      const [name, sha] = line.split(' ');
      if (name && sha) refs[name] = sha;
    }
    return refs;
  }

  async resolveIn(
    owner: string,
    repo: string,
    ref: string,
  ): Promise<string | undefined> {
    if (!/^[A-Za-z0-9._/-]+$/.test(ref) || ref.includes('..')) return undefined;
    return this.#revParse(
      owner,
      repo,
      ref === 'HEAD'
        ? ['HEAD']
        : [`refs/heads/${ref}`, `refs/tags/${ref}`, ref],
      'commit',
    );
  }

  /** The first candidate that names an object of `type`, as its SHA. */
  async #revParse(
    owner: string,
    repo: string,
    candidates: string[],
    type: 'commit' | 'tree',
  ): Promise<string | undefined> {
    for (const c of candidates) {
      try {
        const sha = (
          await git(['rev-parse', '--verify', '--quiet', `${c}^{${type}}`], {
            cwd: this.dir(owner, repo),
          })
        ).trim();
        if (sha) return sha;
      } catch {
        // try the next candidate
      }
    }
    return undefined;
  }

  async resolve(repoUrl: string, ref: string) {
    const r = this.parseUrl(repoUrl);
    return r ? this.resolveIn(r.owner, r.repo, ref) : undefined;
  }

  async readFileIn(owner: string, repo: string, sha: string, filePath: string) {
    const clean = filePath.replace(/^\/+/, '');
    if (clean.split('/').includes('..')) return undefined;
    try {
      return await git(['show', `${sha}:${clean}`], {
        cwd: this.dir(owner, repo),
      });
    } catch {
      return undefined;
    }
  }

  async readFile(repoUrl: string, sha: string, filePath: string) {
    const r = this.parseUrl(repoUrl);
    return r ? this.readFileIn(r.owner, r.repo, sha, filePath) : undefined;
  }

  async listDir(repoUrl: string, sha: string, dirPath: string) {
    const r = this.parseUrl(repoUrl);
    if (!r) return [];
    const clean = dirPath.replace(/^\/+|\/+$/g, '');
    try {
      const out = await git(['ls-tree', '--name-only', `${sha}:${clean}`], {
        cwd: this.dir(r.owner, r.repo),
      });
      return out.split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }

  async commitIn(
    owner: string,
    repo: string,
    sha: string,
  ): Promise<CommitInfo | undefined> {
    try {
      const out = await git(
        ['show', '-s', '--format=%H%x00%an%x00%ae%x00%aI%x00%P%x00%B', sha],
        { cwd: this.dir(owner, repo) },
      );
      const [full, author, email, date, parents, message] = out.split('\0');
      return {
        sha: full,
        author,
        email,
        date,
        parents: parents.split(' ').filter(Boolean),
        message: message.trim(),
      };
    } catch {
      return undefined;
    }
  }

  async commit(repoUrl: string, sha: string) {
    const r = this.parseUrl(repoUrl);
    return r ? this.commitIn(r.owner, r.repo, sha) : undefined;
  }

  // ---- Git Data plumbing (GitHub's git/* REST endpoints use these) ----

  /** The type of an object ('blob', 'tree', 'commit', 'tag'), or undefined. */
  async objectType(
    owner: string,
    repo: string,
    sha: string,
  ): Promise<string | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    try {
      return (
        await git(['cat-file', '-t', sha], { cwd: this.dir(owner, repo) })
      ).trim();
    } catch {
      return undefined;
    }
  }

  /** The tree a tree-ish (tree SHA, commit SHA, branch or tag) names. */
  async resolveTree(
    owner: string,
    repo: string,
    treeish: string,
  ): Promise<string | undefined> {
    if (!/^[A-Za-z0-9._/-]+$/.test(treeish) || treeish.includes('..'))
      return undefined;
    return this.#revParse(
      owner,
      repo,
      [treeish, `refs/heads/${treeish}`, `refs/tags/${treeish}`],
      'tree',
    );
  }

  /** A tree's entries (`recursive`: every entry below it, folders included). */
  async listTree(
    owner: string,
    repo: string,
    tree: string,
    recursive = false,
  ): Promise<GitTreeEntry[]> {
    const out = await git(
      ['ls-tree', '-z', '-l', ...(recursive ? ['-r', '-t'] : []), tree],
      { cwd: this.dir(owner, repo) },
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
  async readBlob(
    owner: string,
    repo: string,
    sha: string,
  ): Promise<Buffer | undefined> {
    if ((await this.objectType(owner, repo, sha)) !== 'blob') return undefined;
    return new Promise((resolve, reject) => {
      execFile(
        'git',
        ['cat-file', 'blob', sha],
        {
          cwd: this.dir(owner, repo),
          encoding: 'buffer',
          maxBuffer: 256 * 1024 * 1024,
        },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
    });
  }

  /** Stores a blob (`git hash-object -w`); returns its SHA. */
  async writeBlob(owner: string, repo: string, content: Buffer) {
    return (
      await git(['hash-object', '-w', '--stdin'], {
        cwd: this.dir(owner, repo),
        input: content,
      })
    ).trim();
  }

  /**
   * Writes the tree `base` (or an empty one) with `changes` applied, one
   * `git mktree` per folder on a changed path; folders left empty go away.
   * Returns the new root tree's SHA.
   */
  async writeTree(
    owner: string,
    repo: string,
    base: string | undefined,
    changes: Map<string, TreeChange>,
  ): Promise<string> {
    const cwd = this.dir(owner, repo);
    const build = async (
      tree: string | undefined,
      here: Map<string, TreeChange>,
      root: boolean,
    ): Promise<string | undefined> => {
      const entries = new Map<string, Omit<GitTreeEntry, 'size'>>();
      if (tree) {
        for (const e of await this.listTree(owner, repo, tree)) {
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
  async readCommit(
    owner: string,
    repo: string,
    sha: string,
  ): Promise<GitCommitObject | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    let raw: string;
    try {
      raw = await git(['cat-file', 'commit', sha], {
        cwd: this.dir(owner, repo),
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
  async writeCommit(
    owner: string,
    repo: string,
    commit: {
      tree: string;
      parents: string[];
      message: string;
      author?: { name: string; email: string; date?: string };
      committer?: { name: string; email: string; date?: string };
    },
  ): Promise<string> {
    const env: Record<string, string> = {};
    const a = commit.author;
    const c = commit.committer ?? commit.author;
    if (a) {
      env.GIT_AUTHOR_NAME = a.name;
      env.GIT_AUTHOR_EMAIL = a.email;
      if (a.date) env.GIT_AUTHOR_DATE = a.date;
    }
    if (c) {
      env.GIT_COMMITTER_NAME = c.name;
      env.GIT_COMMITTER_EMAIL = c.email;
      if (c.date) env.GIT_COMMITTER_DATE = c.date;
    }
    return (
      await git(
        [
          'commit-tree',
          commit.tree,
          ...commit.parents.flatMap(p => ['-p', p]),
          '-F',
          '-',
        ],
        { cwd: this.dir(owner, repo), env, input: commit.message },
      )
    ).trim();
  }

  /**
   * Moves a ref only if it still holds `expected`, or creates it when
   * `expected` is '' and it does not exist (`git update-ref <ref> <new>
   * <old>`). False when another writer got there first.
   */
  async compareAndSwapRef(
    owner: string,
    repo: string,
    ref: string,
    sha: string,
    expected: string,
  ): Promise<boolean> {
    try {
      await git(['update-ref', ref, sha, expected], {
        cwd: this.dir(owner, repo),
      });
      return true;
    } catch {
      return false;
    }
  }

  /** True when `ancestor` is `sha` or one of its ancestors. */
  async isAncestor(
    owner: string,
    repo: string,
    ancestor: string,
    sha: string,
  ): Promise<boolean> {
    try {
      await git(['merge-base', '--is-ancestor', ancestor, sha], {
        cwd: this.dir(owner, repo),
      });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Commits files onto a branch without a work tree (git plumbing), the way
   * GitHub's contents API does. `null` deletes a path. The branch moves only
   * if it still points at the parent read here (compare-and-swap), so two
   * writers never lose each other's commits.
   */
  async commitFiles(
    owner: string,
    repo: string,
    branch: string,
    files: Record<string, string | Buffer | null>,
    message: string,
    author?: { name: string; email: string; date?: string },
  ): Promise<{ sha: string; parent?: string }> {
    const dir = this.dir(owner, repo);
    const parent = await this.resolveIn(owner, repo, branch);
    const indexFile = path.join(
      dir,
      `index.sandbox.${process.pid}.${Date.now()}.${Math.random()}`,
    );
    const env: Record<string, string> = { GIT_INDEX_FILE: indexFile };
    if (author) {
      env.GIT_AUTHOR_NAME = author.name;
      env.GIT_AUTHOR_EMAIL = author.email;
      if (author.date) env.GIT_AUTHOR_DATE = author.date;
    }
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
          await git(['update-index', '--force-remove', '--', clean], {
            cwd: dir,
            env,
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
          [
            'commit-tree',
            tree,
            ...(parent ? ['-p', parent] : []),
            '-m',
            message,
          ],
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
  async log(
    owner: string,
    repo: string,
    ref: string,
    max = 30,
    filter: { path?: string; since?: Date; until?: Date } = {},
  ): Promise<CommitInfo[]> {
    const sha = await this.resolveIn(owner, repo, ref);
    if (!sha) return [];
    const { since, until } = filter;
    const clean = filter.path?.replace(/^\/+|\/+$/g, '');
    if (clean !== undefined && clean.split('/').includes('..')) return [];
    // One git process lists the commits with everything the API shows;
    // dates are filtered here, on the author date (git's own --since uses
    // the committer date).
    const args = [
      '--literal-pathspecs',
      'log',
      '--format=%H%x00%an%x00%ae%x00%aI%x00%P%x00%B%x1e',
    ];
    if (!since && !until) args.push(`--max-count=${max}`);
    args.push(sha);
    if (clean) args.push('--', clean);
    const out = await git(args, { cwd: this.dir(owner, repo) });
    const commits: CommitInfo[] = [];
    for (const record of out.split('\x1e')) {
      if (commits.length >= max) break;
      const [full, author, email, date, parents, message] = record
        .replace(/^\n/, '')
        .split('\0');
      if (!full || message === undefined) continue;
      const at = Date.parse(date);
      if (since && at < since.getTime()) continue;
      if (until && at > until.getTime()) continue;
      commits.push({
        sha: full,
        author,
        email,
        date,
        parents: parents.split(' ').filter(Boolean),
        message: message.trim(),
      });
    }
    return commits;
  }
}
