/*
 * Bare git repositories on disk, driven by the real `git` CLI. The GitHub
 * emulation serves them over smart HTTP (git http-backend); Argo CD's
 * controller and the Jenkins pipeline read them through `GitReader`.
 *
 * This module holds the repositories themselves (BareRepos: names, folders,
 * clone URLs, reading by URL). The work is split by subject: gitCli (running
 * git), gitObjects (Git Data plumbing: objects and refs), gitHistory (commit
 * metadata, file commits, the log) and gitMerge (merging on trees). Importers
 * use this module only.
 */

import fs from 'node:fs';
import path from 'node:path';
import { git, GitPerson } from './gitCli';
import {
  CommitInfo,
  commitFiles,
  commitInfo,
  commitsBetween,
  log,
} from './gitHistory';
import { planMerge, TreeMerge } from './gitMerge';
import {
  compareAndSwapRef,
  deleteRef,
  GitCommitObject,
  GitTreeEntry,
  isAncestor,
  listTree,
  objectType,
  readBlob,
  readCommit,
  resolveCommit,
  resolveTree,
  TreeChange,
  writeBlob,
  writeCommit,
  writeTree,
} from './gitObjects';

export { git } from './gitCli';
export type { CommitInfo } from './gitHistory';
export type { GitCommitObject, GitTreeEntry, TreeChange } from './gitObjects';
export type { TreeMerge } from './gitMerge';

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

  // ---- reading (GitReader: by clone URL; the *In variants by owner/repo) ----

  /** The commit a branch, tag or SHA (or HEAD) names, as its SHA. */
  resolveIn(
    owner: string,
    repo: string,
    ref: string,
  ): Promise<string | undefined> {
    return resolveCommit(this, owner, repo, ref);
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

  /** A commit's metadata, or undefined when `sha` is no commit. */
  commitIn(
    owner: string,
    repo: string,
    sha: string,
  ): Promise<CommitInfo | undefined> {
    return commitInfo(this, owner, repo, sha);
  }

  async commit(repoUrl: string, sha: string) {
    const r = this.parseUrl(repoUrl);
    return r ? this.commitIn(r.owner, r.repo, sha) : undefined;
  }

  // ---- Git Data plumbing (GitHub's git/* REST endpoints use these) ----

  /** The type of an object ('blob', 'tree', 'commit', 'tag'), or undefined. */
  objectType(
    owner: string,
    repo: string,
    sha: string,
  ): Promise<string | undefined> {
    return objectType(this, owner, repo, sha);
  }

  /** The tree a tree-ish (tree SHA, commit SHA, branch or tag) names. */
  resolveTree(
    owner: string,
    repo: string,
    treeish: string,
  ): Promise<string | undefined> {
    return resolveTree(this, owner, repo, treeish);
  }

  /** A tree's entries (`recursive`: every entry below it, folders included). */
  listTree(
    owner: string,
    repo: string,
    tree: string,
    recursive = false,
  ): Promise<GitTreeEntry[]> {
    return listTree(this, owner, repo, tree, recursive);
  }

  /** A blob's bytes, or undefined when `sha` is no blob. */
  readBlob(
    owner: string,
    repo: string,
    sha: string,
  ): Promise<Buffer | undefined> {
    return readBlob(this, owner, repo, sha);
  }

  /** Stores a blob (`git hash-object -w`); returns its SHA. */
  writeBlob(owner: string, repo: string, content: Buffer): Promise<string> {
    return writeBlob(this, owner, repo, content);
  }

  /**
   * Writes the tree `base` (or an empty one) with `changes` applied, one
   * `git mktree` per folder on a changed path; folders left empty go away.
   * Returns the new root tree's SHA.
   */
  writeTree(
    owner: string,
    repo: string,
    base: string | undefined,
    changes: Map<string, TreeChange>,
  ): Promise<string> {
    return writeTree(this, owner, repo, base, changes);
  }

  /** A commit object, or undefined when `sha` is no commit. */
  readCommit(
    owner: string,
    repo: string,
    sha: string,
  ): Promise<GitCommitObject | undefined> {
    return readCommit(this, owner, repo, sha);
  }

  /** Writes a commit object (`git commit-tree`); returns its SHA. */
  writeCommit(
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
    return writeCommit(this, owner, repo, commit);
  }

  /**
   * Moves a ref only if it still holds `expected`, or creates it when
   * `expected` is '' and it does not exist (`git update-ref <ref> <new>
   * <old>`). False when another writer got there first.
   */
  compareAndSwapRef(
    owner: string,
    repo: string,
    ref: string,
    sha: string,
    expected: string,
  ): Promise<boolean> {
    return compareAndSwapRef(this, owner, repo, ref, sha, expected);
  }

  /**
   * Deletes a ref only if it still holds `expected` (`git update-ref -d`).
   * False when it is gone or another writer moved it.
   */
  deleteRef(
    owner: string,
    repo: string,
    ref: string,
    expected: string,
  ): Promise<boolean> {
    return deleteRef(this, owner, repo, ref, expected);
  }

  /**
   * What merging commit `head` into commit `base` on trees would do: the
   * head's changes since their merge base, and the files both changed
   * (conflicts). Undefined when they share no history.
   */
  planMerge(
    owner: string,
    repo: string,
    base: string,
    head: string,
  ): Promise<TreeMerge | undefined> {
    return planMerge(this, owner, repo, base, head);
  }

  /** True when `ancestor` is `sha` or one of its ancestors. */
  isAncestor(
    owner: string,
    repo: string,
    ancestor: string,
    sha: string,
  ): Promise<boolean> {
    return isAncestor(this, owner, repo, ancestor, sha);
  }

  // ---- history ----

  /**
   * Commits files onto a branch without a work tree (git plumbing), the way
   * GitHub's contents API does. `null` deletes a path. The branch moves only
   * if it still points at the parent read here (compare-and-swap), so two
   * writers never lose each other's commits.
   */
  commitFiles(
    owner: string,
    repo: string,
    branch: string,
    files: Record<string, string | Buffer | null>,
    message: string,
    author?: GitPerson,
  ): Promise<{ sha: string; parent?: string }> {
    return commitFiles(this, owner, repo, branch, files, message, author);
  }

  /**
   * Commits, newest first, reachable from `ref`, as GitHub's list-commits
   * filters them: `path` keeps the commits that changed that file or folder
   * (a literal path, never a pattern), `since`/`until` (inclusive) compare
   * against the date the API shows (the author date).
   */
  log(
    owner: string,
    repo: string,
    ref: string,
    max = 30,
    filter: { path?: string; since?: Date; until?: Date } = {},
  ): Promise<CommitInfo[]> {
    return log(this, owner, repo, ref, max, filter);
  }

  /** The commits reachable from `to` but not from `from`, oldest first. */
  commitsBetween(
    owner: string,
    repo: string,
    from: string,
    to: string,
  ): Promise<CommitInfo[]> {
    return commitsBetween(this, owner, repo, from, to);
  }
}
